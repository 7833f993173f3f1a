## Frame and navigation
skip-to-content = Skip to content
sign-out = Sign out
signed-in-as = Signed in as { $name }
nav-label = Admin center
nav-home = Home
nav-users = Active users
nav-deleted-users = Deleted users
nav-groups = Groups
nav-licenses = Licenses
nav-roles = Roles
nav-audit = Audit log
nav-account = My account
back-home = Back to the start page

## Sign-in
sign-in-title = Sign in
sign-in-username = Email, phone, or Skype
sign-in-password = Password
sign-in-button = Sign in
sign-in-wrong = Your account or password is incorrect.
sign-in-locked = Your account is temporarily locked to prevent unauthorized use. Try again later.

## My account
account-title = My account
field-display-name = Display name
field-upn = Username
field-mail = Email
field-aliases = Email aliases
field-job-title = Job title
field-department = Department
field-roles = Admin roles
password-title = Change your password
password-forced = You need to update your password because this is the first time you are signing in, or because your password has been reset.
password-current = Current password
password-new = New password
password-confirm = Confirm new password
password-rules = At least 15 characters. Avoid common words and your user name.
password-save = Save
password-change-button = Change password
password-mismatch = The new passwords don't match.
password-changed = Your password was changed.

## Admin center home
home-title = Admin center
home-active-users = { $count ->
    [one] { $count } active user
   *[other] { $count } active users
}
home-deleted-users = { $count ->
    [one] { $count } deleted user
   *[other] { $count } deleted users
}

## Errors
error-title = Something went wrong
error-csrf-title = This form has expired
error-csrf-body = The page was open too long, or the request came from another site. Go back, reload the page and try again.
error-request-title = This request could not be read
error-request-body = The form was too large, or it was not sent as a form. Go back, reload the page and try again.
error-not-admin-title = You need an admin role
error-not-admin-body = Only users with an admin role can use the admin center. You can still manage your own account.
error-code-invalid-value = A value does not have the required form.
error-code-invalid-user-principal-name = The user name breaks the character or length rules.
error-code-unverified-domain = The domain is not one of the organization's verified domains.
error-code-invalid-proxy-address = An email address is not valid, or there is no single primary address.
error-code-weak-password = The password does not meet the password requirements.
error-code-usage-location-required = A license cannot be assigned to a user without a usage location.
error-code-no-license-seats = There are no licenses available for this product.
error-code-synced-object-read-only = This user is synchronized from your on-premises directory and can only be changed there.
error-code-user-principal-name-conflict = Another active user already has this user name.
error-code-proxy-address-conflict = Another user or group, active or deleted, already has this email address.
error-code-already-exists = This object or link already exists.
error-code-not-found = The object does not exist, was deleted permanently, or is in the other state (active or deleted).
error-code-forbidden = Your admin role does not allow this action on this user.
error-code-unauthenticated = You are not signed in, or your session has ended.
error-code-account-locked = Too many failed sign-ins: sign-in is locked for a while.
error-code-address-throttled = Too many failed sign-ins from this network address: sign-in from it is paused for a while.
error-code-not-initialized = The directory has not been set up yet.
error-code-already-initialized = The directory has already been set up.
error-code-unavailable = The database is unavailable right now. Try again in a moment.
error-code-internal = Something unexpected went wrong. The server log has the details.
error-code-password-link-invalid = This link to set a password is unknown, expired or already used.

## Set-password link
set-password-title = Set your password
set-password-for = Choose a new password for { $name }
set-password-invalid = This link is unknown, has expired or was used already. Ask your administrator for a new one.
set-password-done = Your password is set. You can sign in with it now.
sign-in-throttled-title = Too many sign-in attempts
sign-in-throttled-body = There were too many sign-in attempts from your network. Wait a minute and try again.

## Mail log
nav-mail = Mail log
mail-title = Mail log
mail-status = Status
mail-status-all = All
mail-status-queued = Queued
mail-status-sending = Sending
mail-status-sent = Sent
mail-status-failed = Failed
mail-filter = Filter
mail-empty = No messages.
mail-created = Queued on
mail-kind = Message
mail-kind-accountRestored = Account restored
mail-kind-restoreReport = Restore report
mail-kind-purgeReminder = Purge reminder
mail-kind-passwordLink = Set-password link
mail-recipients = Recipients
mail-language = Language
mail-attempts = Attempts
mail-sent = Sent on
mail-last-error = Mail server's last answer
field-primary = primary
