-- Recycle-bin pages filtered on a name and ordered by deletion time (Graph's default order
-- for deleted items): the filter's range scan reads key, id and deleted_at from one of these
-- indexes alone and sorts only those small tuples; the page's ids are picked first and only
-- the page's rows are then read from the table (`user_query::page`). The display-name index
-- also carries upn_key, so the admin center's search (display name or user name, by display
-- name) tests both names without reading rows.
CREATE INDEX users_display_name_deleted_cover ON users (display_name_key, id, deleted_at, upn_key)
    WHERE deleted_at IS NOT NULL;
CREATE INDEX users_upn_deleted_cover ON users (upn_key, id, deleted_at) WHERE deleted_at IS NOT NULL;
