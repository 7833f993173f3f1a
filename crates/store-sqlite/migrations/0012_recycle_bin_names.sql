-- The recycle bin in deletion order also carries both name keys, so that a page filtered
-- on a name and ordered by deletion time can read the bin in order from the index alone
-- and stop at its last match (`user_query::find_deleted_users` looks at a window of the
-- bin this way before it sorts every match). The new index serves every query the old
-- one did: (deleted_at, id) is its prefix.
DROP INDEX users_recycle_bin;
CREATE INDEX users_recycle_bin ON users (deleted_at, id, display_name_key, upn_key) WHERE deleted_at IS NOT NULL;
