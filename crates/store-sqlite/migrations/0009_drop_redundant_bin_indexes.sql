-- The recycle bin's (display_name_key, id) and (upn_key, id) indexes are prefixes of the
-- covering indexes 0007 added with the same condition, which serve every query they did.
-- Each index is work for every delete, restore and purge, so the narrow two go.
DROP INDEX users_display_name_deleted;
DROP INDEX users_upn_deleted;
