-- Query keys: the lower-cased form of every filterable or sortable text property, so that
-- `$filter`, `$orderby` and `$search` compare keys with keys, byte-wise, and can use indexes.
-- The keys are always computed in Rust (`directory::query::text_key`, i.e. str::to_lowercase,
-- which folds every letter; SQLite's lower() folds ASCII only), never with SQL lower().
-- `mail_key` is the primary SMTP address, lower-cased.

ALTER TABLE users ADD COLUMN display_name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN given_name_key TEXT;
ALTER TABLE users ADD COLUMN surname_key TEXT;
ALTER TABLE users ADD COLUMN mail_key TEXT;
ALTER TABLE users ADD COLUMN mail_nickname_key TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_title_key TEXT;
ALTER TABLE users ADD COLUMN department_key TEXT;
ALTER TABLE users ADD COLUMN usage_location_key TEXT;

-- The keys of existing rows are computed in Rust, not here: the marker below makes the
-- store fill them when it next opens (`users::rekey_if_pending`), in the same way every
-- write computes them.
CREATE TABLE users_rekey_pending (singleton INTEGER PRIMARY KEY CHECK (singleton = 1));
INSERT INTO users_rekey_pending (singleton) VALUES (1);

-- Pages ordered by (key, id): active users by display name or creation time (by UPN, the
-- unique index users_upn_key_active serves), deleted users by display name or UPN (by
-- deletion time, users_recycle_bin serves).
CREATE INDEX users_display_name_active ON users (display_name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX users_created_active ON users (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX users_display_name_deleted ON users (display_name_key, id) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_upn_deleted ON users (upn_key, id) WHERE deleted_at IS NOT NULL;
-- `mail eq '…'`, and `proxyAddresses/any(p: p eq '…')` over released addresses too.
CREATE INDEX users_mail_key ON users (mail_key) WHERE mail_key IS NOT NULL;
CREATE INDEX proxy_addresses_key ON proxy_addresses (address_key);
