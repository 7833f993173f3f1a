-- Audit records are append-only. Triggers refuse every UPDATE and DELETE of a row in
-- audit_events, with one exception: Roster itself fills the chain fields (seq, prev_hash,
-- hash) of records written before migration 0006, once, when the store opens
-- (store-sql/audit_chain.rs, chain_unchained). That UPDATE is allowed only while all three
-- fields are NULL, only when it sets all three, and only when no other column changes.
-- Nothing else in Roster updates or deletes audit rows: purging a user keeps its records,
-- and the audit log has no retention of its own.

CREATE TRIGGER audit_events_no_update
BEFORE UPDATE ON audit_events
WHEN NOT (
    OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
    AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
    AND NEW.action IS OLD.action AND NEW.target_id IS OLD.target_id
    AND NEW.target IS OLD.target AND NEW.outcome IS OLD.outcome
    AND NEW.details IS OLD.details
)
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;

CREATE TRIGGER audit_events_no_delete
BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
