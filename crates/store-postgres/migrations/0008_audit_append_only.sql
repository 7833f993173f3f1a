-- Audit records are append-only. A trigger refuses every UPDATE, DELETE and TRUNCATE of
-- audit_events, with one exception: Roster itself fills the chain fields (seq, prev_hash,
-- hash) of records written before migration 0006, once, when the store opens
-- (store-sql/audit_chain.rs, chain_unchained). That UPDATE is allowed only while all three
-- fields are NULL, only when it sets all three, and only when no other column changes.
-- Nothing else in Roster updates or deletes audit rows: purging a user keeps its records,
-- and the audit log has no retention of its own.
--
-- The trigger guards against mistakes and against any role that does not own the table.
-- The owner can drop it; run Roster under a role without UPDATE, DELETE and TRUNCATE on
-- audit_events as well (README, "An append-only audit table on PostgreSQL").

CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
           AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
           AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.target_id, NEW.target, NEW.outcome, NEW.details)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.target_id, OLD.target, OLD.outcome, OLD.details)
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only
BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
BEFORE TRUNCATE ON audit_events
FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
