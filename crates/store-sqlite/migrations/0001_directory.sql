-- Roster's directory schema for SQLite.
-- Ids are 16-byte BLOBs, booleans INTEGER 0/1 (declared BOOLEAN), times INTEGER unix
-- microseconds (so they compare and sort as numbers). Lists are newline-separated TEXT.
-- Every uniqueness rule lives in an index, never only in application code.

CREATE TABLE tenant (
    singleton INTEGER PRIMARY KEY NOT NULL CHECK (singleton = 1),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    domains TEXT NOT NULL,
    retention_seconds BIGINT NOT NULL,
    license_overage TEXT NOT NULL CHECK (license_overage IN ('refuse', 'allow')),
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    upn TEXT NOT NULL,
    upn_key TEXT NOT NULL,
    display_name TEXT NOT NULL,
    given_name TEXT,
    surname TEXT,
    mail_nickname TEXT NOT NULL,
    other_mails TEXT NOT NULL DEFAULT '',
    account_enabled BOOLEAN NOT NULL,
    usage_location TEXT,
    preferred_language TEXT,
    job_title TEXT,
    department TEXT,
    manager_id BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    addresses_released BOOLEAN NOT NULL DEFAULT FALSE,
    on_premises_sync_enabled BOOLEAN,
    password_hash TEXT NOT NULL,
    force_change_password BOOLEAN NOT NULL
);

CREATE UNIQUE INDEX users_upn_key_active ON users (upn_key) WHERE deleted_at IS NULL;
CREATE INDEX users_recycle_bin ON users (deleted_at, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_manager ON users (manager_id) WHERE manager_id IS NOT NULL;

CREATE TABLE groups (
    id BLOB PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    mail_nickname TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE proxy_addresses (
    user_id BLOB REFERENCES users (id) ON DELETE CASCADE,
    group_id BLOB REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    address TEXT NOT NULL,
    address_key TEXT NOT NULL,
    reserved BOOLEAN NOT NULL,
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);

CREATE UNIQUE INDEX proxy_addresses_reserved_key ON proxy_addresses (address_key) WHERE reserved;
CREATE INDEX proxy_addresses_user ON proxy_addresses (user_id);
CREATE INDEX proxy_addresses_group ON proxy_addresses (group_id);

CREATE TABLE group_members (
    group_id BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE group_owners (
    group_id BLOB NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_owners_user ON group_owners (user_id);

-- No foreign key on group_id: the group may be deleted while the user is in the bin.
CREATE TABLE former_groups (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id BLOB NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (user_id, group_id)
);

CREATE TABLE role_assignments (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX role_assignments_role ON role_assignments (role);

CREATE TABLE skus (
    id BLOB PRIMARY KEY NOT NULL,
    part_number TEXT NOT NULL UNIQUE,
    prepaid_units BIGINT NOT NULL,
    consumed_units BIGINT NOT NULL CHECK (consumed_units >= 0),
    service_plans TEXT NOT NULL DEFAULT ''
);

CREATE TABLE license_assignments (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sku_id BLOB NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
    disabled_plans TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, sku_id)
);
CREATE INDEX license_assignments_sku ON license_assignments (sku_id);

CREATE TABLE tokens (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    user_id BLOB REFERENCES users (id) ON DELETE CASCADE,
    roles TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE audit_events (
    id BLOB PRIMARY KEY NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id BLOB,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at, id);
