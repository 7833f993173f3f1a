-- Replicas' check-ins (directory::replica): each `roster serve` writes its name, when it
-- started and when it last checked in, every few seconds. A SQLite data directory has one
-- server at a time, so this holds one live row; the table is here so both backends run
-- the same code.
CREATE TABLE replicas (
    name TEXT PRIMARY KEY NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
