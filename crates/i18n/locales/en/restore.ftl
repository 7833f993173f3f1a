# Deleted users and the restore wizard (crates/web/src/admin/deleted). Microsoft's wording
# from "Restore a user" where it has one.

restore-list-title = Deleted users
restore-list-intro = Select the names of the users that you want to restore, and then select Restore. A user can be restored until its permanent deletion date.
restore-list-caption = Deleted users that can still be restored
restore-list-empty = No deleted users found.
restore-list-count = { $count ->
    [one] One deleted user
   *[other] { $count } deleted users
}
restore-list-count-more = { $count ->
    [one] More than one deleted user matches
   *[other] More than { $count } deleted users match
}
restore-search-label = Search by name or user name
restore-search-button = Search
restore-paging = Pages
restore-first-page = First page
restore-next-page = Next page
restore-select = Select
restore-select-user = Select { $name }
restore-col-name = Display name
restore-col-upn = Username
restore-col-deleted-on = Deleted on
restore-col-purge-on = Permanent deletion date
restore-col-days-left = Days left
restore-col-licenses = Licenses
restore-col-roles = Admin roles
restore-col-actions = Actions
restore-col-final-upn = Username after restore
restore-col-what-happens = What will happen
restore-col-result = Result
restore-col-details = Details
restore-button = Restore
restore-next = Next
restore-cancel = Cancel
restore-report-sent = { $count ->
    [one] The email was sent to one recipient.
   *[other] The email was sent to { $count } recipients.
}

restore-title = Restore users
restore-bad-form = The form is out of date or was changed (field “{ $field }”). Go back to Deleted users and start again.
restore-none-selected = Select at least one user who is still in the recycle bin, and then select Restore.
restore-gone = { $count ->
    [one] One selected user is no longer in the recycle bin: it was restored or permanently deleted meanwhile.
   *[other] { $count } selected users are no longer in the recycle bin: they were restored or permanently deleted meanwhile.
}
restore-selected-heading = { $count ->
    [one] Restoring one user
   *[other] Restoring { $count } users
}
restore-password-intro = Follow the prompts to set their password, and then select Restore.
restore-password-legend = Password
restore-password-auto = Auto-generate password
restore-password-manual = Let me create the password
restore-password-new = Password
restore-password-hint = At least 15 characters. Avoid common passwords and the user name.
restore-password-keep = Keep the password the user had
restore-force-change = Make this user change their password when they first sign in

restore-conflicts-title = User name conflicts
restore-conflicts-intro = A user name conflict occurs when you delete a user account, create a new user account with the same user name, and later try to restore the deleted account. To fix this, replace the active user account with the one that you are restoring. Or, assign a different user name to the account that you are restoring so that there aren't two accounts with the same user name.
restore-conflict-legend = { $name }
restore-conflict-taken = Another active user already has the user name { $upn }.
restore-conflict-rename-active = Replace the active user: rename the active user and give this user its user name back
restore-conflict-new-upn = Type a new user name (primary email address) for the user you are restoring
restore-conflict-new-upn-field = New user name

restore-preview-title = Review and restore
restore-preview-intro = This is what will happen to each user. Nothing has changed yet. Any conflicting proxy addresses are automatically removed from the user you are restoring.
restore-preview-password-auto = A new password will be generated for each user and shown once.
restore-preview-password-manual = Each user gets the password you typed.
restore-preview-password-keep = Each user keeps the password it had.
restore-preview-force-change = Users must change it when they first sign in.
restore-preview-failures = { $count ->
    [one] One user cannot be restored as things stand. You can still restore the others.
   *[other] { $count } users cannot be restored as things stand. You can still restore the others.
}
restore-preview-replaced = The active user { $upn } will be renamed, so that this user gets its user name back.
restore-preview-removed = These addresses are held by someone else and will be removed from this user:
restore-preview-licenses = No license available, so these will not be re-applied: { $licenses }. Add a license after you restore.
restore-preview-groups = These groups were deleted, so the user will not be back in them: { $groups }
restore-preview-plain = Restored as it was, with its groups, licenses, admin roles and addresses.
restore-promoted = The new primary email address is { $address }.
restore-held-by-user = (held by { $name })
restore-held-by-deleted-user = (held by the deleted user { $id })
restore-held-by-group = (held by the group { $name })

restore-results-title = Restore results
restore-failed-some = The restore operation failed for some users. View the log to see which users were not restored, and then restore the failed accounts one at a time.
restore-succeeded = { $count ->
    [one] The user was restored. It can sign in with the same work or school account.
   *[other] { $count } users were restored. They can sign in with the same work or school accounts.
}
restore-password-reminder = After you've restored a user, make sure you notify them that their password changed and you follow up with them.
restore-status-restored = Restored
restore-status-already-active = Already active: it was restored before.
restore-status-failed = Not restored
restore-result-password = New password (shown only now):
restore-result-replaced = The active user was renamed:
restore-result-removed = Removed because of a proxy address conflict:
restore-result-licenses = No license available, not re-applied: { $licenses }. Add a license after you restore.
restore-result-over-assigned = Re-applied beyond the licenses bought: { $licenses }
restore-result-groups = Not back in these deleted groups: { $groups }
restore-retry = Restore { $name } again
restore-download-log = Download the log (CSV)
restore-recipients = Send the results to
restore-recipients-hint = Email addresses, separated by commas.
restore-include-credentials = Include a way to sign in (a one-time link to set a password, if your organization allows it)
restore-send-email-and-close = Send email and close
restore-close = Close
restore-log-removed = addresses removed: { $addresses }
restore-log-licenses = licenses not re-applied: { $licenses }
restore-log-groups = groups skipped: { $groups }
restore-log-replaced = active user renamed to { $upn }

restore-forbidden-caller = Your admin role does not allow restoring users. You must be a global admin or user management admin to do these steps.
restore-forbidden-target = This user holds the admin role { $roles }. Your admin role cannot restore a user with that role: ask a Global Administrator or Privileged Authentication Administrator.
restore-upn-taken = Another active user already has the user name { $upn }.
restore-address-taken = Another object already has the address { $address }.
restore-not-found = This user is no longer in the recycle bin: it was restored or permanently deleted.
