-- Outgoing mail: the transactional outbox, the organisation's mail settings, one-time
-- set-password links (SHA-256 of the secret only) and the purge reminders already sent.
--
-- An outbox row is `queued` (due at due_at), `sending` (claimed under `claim` until its
-- lease ends at due_at), `sent` or `failed`. `payload` is the notification in the
-- store's line format (store-sql/mail.rs); secrets are removed from it once it is sent.
-- Senders claim with FOR UPDATE SKIP LOCKED, so several processes send each message once.

CREATE TABLE mail_outbox (
    id UUID PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    recipients TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    last_error TEXT,
    claim UUID
);
CREATE INDEX mail_outbox_due ON mail_outbox (due_at, id) WHERE status IN ('queued', 'sending');
CREATE INDEX mail_outbox_log ON mail_outbox (created_at, id);

CREATE TABLE mail_settings (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    default_language TEXT NOT NULL,
    public_url TEXT,
    credentials TEXT NOT NULL CHECK (credentials IN ('never', 'link', 'password')),
    purge_reminders BOOLEAN NOT NULL
);

CREATE TABLE password_links (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX password_links_user ON password_links (user_id);

CREATE TABLE purge_reminders (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    deleted_at TIMESTAMPTZ NOT NULL,
    days INTEGER NOT NULL,
    PRIMARY KEY (user_id, deleted_at, days)
);
