-- Replicas' check-ins (directory::replica): each `roster serve` sharing this database
-- writes its name, when it started and when it last checked in, every few seconds; each
-- counts the live ones to take its share of deployment-wide budgets.
CREATE TABLE replicas (
    name TEXT PRIMARY KEY NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);
