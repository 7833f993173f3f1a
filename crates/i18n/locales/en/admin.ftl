## Admin center directory pages (owner: pages). Keys are prefixed by page.

## Active users
users-title = Active users
users-add = Add a user
users-search = Search active users list
users-search-button = Search
users-filter = Filter
users-filter-all = All users
users-filter-enabled = Sign-in allowed
users-filter-disabled = Sign-in blocked
users-empty = No users match.
users-select = Select
users-select-one = Select { $name }
users-col-name = Display name
users-col-upn = Username
users-col-licenses = Licenses
users-unlicensed = Unlicensed
users-sign-in-blocked = sign-in blocked
users-delete = Delete user
users-pages = Pages
users-first-page = First page
users-next-page = Next
users-cancel = Cancel
users-close = Close

## Add a user
add-user-title = Add a user
add-user-basics = Set up the basics
add-user-first-name = First name
add-user-last-name = Last name
add-user-display-name = Display name
add-user-username = Username
add-user-domain = Domains
add-user-password = Password settings
add-user-password-auto = Automatically create a password
add-user-password-manual = Let me create the password
add-user-password-field = Password
add-user-force-change = Require this user to change their password when they first sign in
add-user-licenses = Assign product licenses
add-user-location = Select location
add-user-location-hint = Two-letter country code, such as NL or US. Needed to assign licenses.
add-user-no-subscriptions = The organization has no subscriptions yet.
add-user-free-seats = { $count ->
    [one] { $count } license available
   *[other] { $count } licenses available
}
add-user-submit = Finish adding
user-added-title = User added
user-added-body = { $name } is added to active users.
user-added-password-once = Copy the password now: it is shown only this once.
user-added-force-change = The user must change this password when they first sign in.
user-added-license-failed = The user was added, but the licenses were not assigned: { $reason }
user-added-another = Add another user

## Delete users
delete-users-title = Delete users
delete-users-none = Select at least one user to delete.
delete-users-back = Back to active users
delete-users-question = { $count ->
    [one] Delete this user?
   *[other] Delete these { $count } users?
}
delete-users-explained = Deleted users keep their licenses, groups, roles and email addresses and can be restored from Deleted users until the retention period ends (30 days unless your organization changed it). Their licenses become available for others meanwhile.
delete-users-release = Release their email aliases so others can use them
delete-users-confirm = { $count ->
    [one] Delete user
   *[other] Delete { $count } users
}
deleted-result-title = Delete users
deleted-result-deleted = { $count ->
    [one] { $count } user was deleted.
   *[other] { $count } users were deleted.
}
deleted-result-failed = { $count ->
    [one] { $count } user could not be deleted.
   *[other] { $count } users could not be deleted.
}
deleted-result-reason = Reason
deleted-result-released = Their email aliases were released.
deleted-result-restorable = You can restore them from Deleted users until they are deleted permanently.
deleted-result-to-bin = Go to Deleted users

## Licenses
licenses-title = Licenses
licenses-empty = The organization has no subscriptions.
licenses-col-product = Product
licenses-col-bought = Purchased
licenses-col-assigned = Assigned
licenses-col-available = Available
licenses-over = { $count ->
    [one] { $count } over-assigned
   *[other] { $count } over-assigned
}

## Roles
roles-title = Roles
roles-col-role = Role
roles-col-holders = Assigned admins
roles-nobody = No one has this role.

## Groups
groups-title = Groups
groups-empty = The organization has no groups.
groups-col-name = Name
groups-col-mail = Email
groups-col-description = Description
groups-created = Created on
groups-back = Back to groups
groups-owners = { $count ->
    [one] Owners ({ $count })
   *[other] Owners ({ $count })
}
groups-members = { $count ->
    [one] Members ({ $count })
   *[other] Members ({ $count })
}
groups-no-owners = This group has no owners.
groups-no-members = This group has no members.

## Audit log
audit-title = Audit log
audit-actor = Initiated by
audit-action = Activity
audit-any-action = All activities
audit-target = Target
audit-target-hint = A target exactly as recorded, such as a user name, or an object id.
audit-from = From (UTC)
audit-to = To (UTC)
audit-apply = Apply
audit-clear = Clear filters
audit-empty = No audit records match.
audit-col-date = Date (UTC)
audit-col-activity = Activity
audit-col-actor = Initiated by
audit-col-target = Target
audit-col-result = Result
audit-col-details = Details
audit-success = Success
audit-failure = Failure
audit-more = Show more
audit-bad-date = { $field }: enter a date as YYYY-MM-DD.
