# Outgoing mail (crates/mail). Dates are given as text in UTC.

mail-footer = This message was sent automatically by Roster for { $organization }. Replies are not read.
mail-greeting = Hello { $name },

mail-restored-subject = Your account { $upn } has been restored
mail-restored-body = An administrator of { $organization } has restored your account { $upn }. It has its groups, licences and addresses back, and you can sign in with it again.
mail-restored-password-changed = Your password was changed during the restore. Your administrator will tell you how to get the new one.
mail-restored-password-kept = Your password has not changed.
mail-restored-not-you = You receive this message at your alternate e-mail address. If you did not expect it, tell your administrator.

mail-report-subject = Restore report: { $restored } of { $total } users restored
mail-report-intro = An administrator of { $organization } restored deleted users. This is the result, one line per user.
mail-report-user = User
mail-report-result = Result
mail-report-sign-in = Sign-in
mail-report-restored = Restored
mail-report-already-active = Already active
mail-report-failed = Not restored: { $message }
mail-report-link = Set a password
mail-report-link-expires = The link works once, until { $expires }.
mail-report-password = Password: { $password }
mail-report-removed = Removed after sending
mail-report-none = No sign-in details

mail-reminder-subject = { $count ->
    [one] One deleted user
   *[other] { $count } deleted users
} will be deleted permanently in { $days ->
    [one] 1 day
   *[other] { $days } days
}
mail-reminder-intro = These users of { $organization } are in the recycle bin. They can be restored until the time shown; after that they are deleted permanently.
mail-reminder-purge-at = Deleted permanently on { $date }

mail-link-subject = Set a new password for { $upn }
mail-link-body = An administrator of { $organization } created a link to set a new password for { $name } ({ $upn }).
mail-link-action = Set a new password
mail-link-expires = The link works once and expires on { $expires }.
mail-link-ignore = If you did not expect this message, do not use the link and tell your administrator.
