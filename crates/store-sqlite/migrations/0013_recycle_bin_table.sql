-- The recycle bin in deletion order moves from a partial index of `users` into a table of
-- its own, so that the purge job can leave it alone (issue 7). An index loses its entry in
-- the same statement that deletes the row: a purge batch, which deletes users in the
-- table's order (the order their rows and child rows share pages in), rewrote one leaf
-- of the deletion-order index per purged user, half of every page the batch wrote. A
-- table kept by triggers can instead keep the entries of the users a purge job's batch
-- deletes, and the job removes them at the end of its run in the table's own order: all
-- of them lie at the start of it (deleted at or before the run's cutoff), a few pages per
-- thousand entries.
--
-- Invariants (`recycle_bin.rs` reads by them, the adapter's tests check them):
-- * every deleted user has exactly one entry, with its deletion time and name keys;
-- * every other entry is one a purge job left behind: its user is gone, there are
--   `left_behind` of them, all deleted at or before `left_through`.
CREATE TABLE recycle_bin (
    deleted_at INTEGER NOT NULL,
    id BLOB NOT NULL,
    display_name_key TEXT NOT NULL,
    upn_key TEXT NOT NULL,
    PRIMARY KEY (deleted_at, id)
) WITHOUT ROWID;

INSERT INTO recycle_bin (deleted_at, id, display_name_key, upn_key)
SELECT deleted_at, id, display_name_key, upn_key FROM users WHERE deleted_at IS NOT NULL;

-- `purging` is true only inside a purge job's batch, which sets it before its `DELETE`
-- and clears it before it commits, so no other transaction ever sees it true.
CREATE TABLE recycle_bin_purge (
    singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
    purging BOOLEAN NOT NULL,
    left_behind BIGINT NOT NULL CHECK (left_behind >= 0),
    left_through INTEGER
);
INSERT INTO recycle_bin_purge (singleton, purging, left_behind, left_through) VALUES (1, FALSE, 0, NULL);

CREATE TRIGGER recycle_bin_user_inserted AFTER INSERT ON users
WHEN NEW.deleted_at IS NOT NULL
BEGIN
    INSERT INTO recycle_bin (deleted_at, id, display_name_key, upn_key)
    VALUES (NEW.deleted_at, NEW.id, NEW.display_name_key, NEW.upn_key);
END;

-- One trigger, so that the old entry always goes before the new one comes.
CREATE TRIGGER recycle_bin_user_updated AFTER UPDATE OF id, deleted_at, display_name_key, upn_key ON users
WHEN OLD.deleted_at IS NOT NULL OR NEW.deleted_at IS NOT NULL
BEGIN
    DELETE FROM recycle_bin WHERE deleted_at = OLD.deleted_at AND id = OLD.id;
    INSERT INTO recycle_bin (deleted_at, id, display_name_key, upn_key)
    SELECT NEW.deleted_at, NEW.id, NEW.display_name_key, NEW.upn_key WHERE NEW.deleted_at IS NOT NULL;
END;

CREATE TRIGGER recycle_bin_user_deleted AFTER DELETE ON users
WHEN OLD.deleted_at IS NOT NULL AND NOT (SELECT purging FROM recycle_bin_purge)
BEGIN
    DELETE FROM recycle_bin WHERE deleted_at = OLD.deleted_at AND id = OLD.id;
END;

DROP INDEX users_recycle_bin;
