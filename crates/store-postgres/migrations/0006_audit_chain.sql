-- Tamper evidence for audit records: a hash chain. Each record gets its place `seq` in one
-- linear chain, the hash of the record before it and its own hash (SHA-256, computed in
-- Rust: `directory::audit_chain::link_hash`). `audit_chain_head` is the last link; the
-- transaction that appends updates it first, which serialises appends. Records written
-- before this migration are chained once, in Rust, when the store next opens.

ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);

CREATE TABLE audit_chain_head (
    singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (singleton, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Finds the records still to chain (and, afterwards, any written around the chain).
CREATE INDEX audit_events_unchained ON audit_events (at, id) WHERE seq IS NULL;
