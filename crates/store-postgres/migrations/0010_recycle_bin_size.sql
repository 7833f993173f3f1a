-- The recycle bin's size, kept in the transaction of every change to it (a delete, a
-- restore, a purge, an insert of a deleted user), so counting the restorable deleted users
-- (Graph's `$count`, the admin center's home) reads one number instead of counting every
-- entry of users_recycle_bin: the restorable ones are this size minus the expired users the
-- purge job has not deleted yet, which that index counts quickly (recycle_bin.rs,
-- count_deleted_users).
--
-- The row is updated once per transaction, at its commit, with the sum of its changes:
-- - each changed row adds +1 or -1 to a transaction-local setting (cheap, no row written;
--   a rolled-back savepoint takes its changes back with it), and the first one also
--   inserts a row into recycle_bin_size_flush;
-- - that insert queues one deferred constraint trigger, which at COMMIT adds the sum to
--   recycle_bin_size and deletes the flush row.
-- Locking the size row only at commit, after the audit chain head (the last lock a
-- transaction otherwise takes, store-sql/audit_chain.rs), keeps the lock order fixed, so
-- it adds no deadlock; updating it once per transaction keeps a purge batch or a bulk
-- restore from writing one row version per user.
CREATE TABLE recycle_bin_size (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    users BIGINT NOT NULL
);

CREATE TABLE recycle_bin_size_flush (
    pending BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE FUNCTION recycle_bin_size_note() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    pending TEXT := current_setting('roster.recycle_bin_delta', true);
BEGIN
    IF pending IS NULL OR pending = '' THEN
        INSERT INTO recycle_bin_size_flush DEFAULT VALUES;
        pending := '0';
    END IF;
    PERFORM set_config('roster.recycle_bin_delta', (pending::BIGINT + TG_ARGV[0]::BIGINT)::TEXT, true);
    RETURN NULL;
END;
$$;

CREATE FUNCTION recycle_bin_size_flush() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    pending TEXT := current_setting('roster.recycle_bin_delta', true);
BEGIN
    IF pending IS NOT NULL AND pending <> '' THEN
        UPDATE recycle_bin_size SET users = users + pending::BIGINT;
        PERFORM set_config('roster.recycle_bin_delta', '', true);
    END IF;
    DELETE FROM recycle_bin_size_flush;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER recycle_bin_size_flush AFTER INSERT ON recycle_bin_size_flush
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION recycle_bin_size_flush();

CREATE TRIGGER recycle_bin_size_inserted AFTER INSERT ON users
FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL)
EXECUTE FUNCTION recycle_bin_size_note('1');

CREATE TRIGGER recycle_bin_size_deleted AFTER UPDATE OF deleted_at ON users
FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
EXECUTE FUNCTION recycle_bin_size_note('1');

CREATE TRIGGER recycle_bin_size_restored AFTER UPDATE OF deleted_at ON users
FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL)
EXECUTE FUNCTION recycle_bin_size_note('-1');

CREATE TRIGGER recycle_bin_size_purged AFTER DELETE ON users
FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL)
EXECUTE FUNCTION recycle_bin_size_note('-1');

-- The triggers exist (and lock users against writes until this migration commits) before
-- the bin is counted, so no change is missed or counted twice.
INSERT INTO recycle_bin_size (users) SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL;
