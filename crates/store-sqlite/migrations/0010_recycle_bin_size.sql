-- The recycle bin's size, kept by triggers in the transaction of every change to it (a
-- delete, a restore, a purge, an insert of a deleted user), so counting the restorable
-- deleted users (Graph's `$count`, the admin center's home) reads one number instead of
-- counting every entry of users_recycle_bin: the restorable ones are this size minus the
-- expired users the purge job has not deleted yet, which that index counts quickly
-- (recycle_bin.rs, count_deleted_users). SQLite has one writer, so one row is enough.
CREATE TABLE recycle_bin_size (
    singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
    users BIGINT NOT NULL
);

CREATE TRIGGER recycle_bin_size_inserted AFTER INSERT ON users
WHEN NEW.deleted_at IS NOT NULL
BEGIN
    UPDATE recycle_bin_size SET users = users + 1;
END;

CREATE TRIGGER recycle_bin_size_deleted AFTER UPDATE OF deleted_at ON users
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
    UPDATE recycle_bin_size SET users = users + 1;
END;

CREATE TRIGGER recycle_bin_size_restored AFTER UPDATE OF deleted_at ON users
WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL
BEGIN
    UPDATE recycle_bin_size SET users = users - 1;
END;

CREATE TRIGGER recycle_bin_size_purged AFTER DELETE ON users
WHEN OLD.deleted_at IS NOT NULL
BEGIN
    UPDATE recycle_bin_size SET users = users - 1;
END;

INSERT INTO recycle_bin_size (singleton, users)
SELECT 1, COUNT(*) FROM users WHERE deleted_at IS NOT NULL;
