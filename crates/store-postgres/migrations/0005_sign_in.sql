-- Failed password sign-ins per sign-in name as typed (lower-cased), known or not, for
-- lockout. A successful sign-in deletes the row. Audit records gain an index for the
-- admin center's filter by actor.

CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    first_failure_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);

CREATE INDEX audit_events_actor ON audit_events (actor, at);
