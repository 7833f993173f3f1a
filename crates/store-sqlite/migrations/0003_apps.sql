-- App registrations (client-credentials principals with admin roles), their client
-- secrets (SHA-256 hex, never the secret) and the tokens they were issued. Deleting an
-- app deletes its secrets and tokens.

CREATE TABLE apps (
    id BLOB PRIMARY KEY NOT NULL,
    client_id BLOB NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE app_secrets (
    id BLOB PRIMARY KEY NOT NULL,
    app_id BLOB NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX app_secrets_app ON app_secrets (app_id);

ALTER TABLE tokens ADD COLUMN app_id BLOB REFERENCES apps (id) ON DELETE CASCADE;
CREATE INDEX tokens_app ON tokens (app_id);
