## Frame and navigation
skip-to-content = Naar de inhoud
sign-out = Afmelden
signed-in-as = Aangemeld als { $name }
nav-label = Beheercentrum
nav-home = Start
nav-users = Actieve gebruikers
nav-deleted-users = Verwijderde gebruikers
nav-groups = Groepen
nav-licenses = Licenties
nav-roles = Rollen
nav-audit = Auditlogboek
nav-account = Mijn account
back-home = Terug naar de startpagina

## Sign-in
sign-in-title = Aanmelden
sign-in-username = E-mailadres, telefoonnummer of Skype
sign-in-password = Wachtwoord
sign-in-button = Aanmelden
sign-in-wrong = Uw account of wachtwoord is onjuist.
sign-in-locked = Uw account is tijdelijk vergrendeld om onbevoegd gebruik te voorkomen. Probeer het later opnieuw.

## My account
account-title = Mijn account
field-display-name = Weergavenaam
field-upn = Gebruikersnaam
field-mail = E-mail
field-aliases = E-mailaliassen
field-job-title = Functie
field-department = Afdeling
field-roles = Beheerdersrollen
password-title = Uw wachtwoord wijzigen
password-forced = U moet uw wachtwoord bijwerken omdat u zich voor het eerst aanmeldt of omdat uw wachtwoord opnieuw is ingesteld.
password-current = Huidig wachtwoord
password-new = Nieuw wachtwoord
password-confirm = Nieuw wachtwoord bevestigen
password-rules = Minstens 15 tekens. Vermijd gangbare woorden en uw gebruikersnaam.
password-save = Opslaan
password-change-button = Wachtwoord wijzigen
password-mismatch = De nieuwe wachtwoorden komen niet overeen.
password-changed = Uw wachtwoord is gewijzigd.

## Admin center home
home-title = Beheercentrum
home-active-users = { $count ->
    [one] { $count } actieve gebruiker
   *[other] { $count } actieve gebruikers
}
home-deleted-users = { $count ->
    [one] { $count } verwijderde gebruiker
   *[other] { $count } verwijderde gebruikers
}

## Errors
error-title = Er is iets misgegaan
error-csrf-title = Dit formulier is verlopen
error-csrf-body = De pagina stond te lang open, of het verzoek kwam van een andere site. Ga terug, laad de pagina opnieuw en probeer het nog eens.
error-request-title = Dit verzoek kon niet worden gelezen
error-request-body = Het formulier was te groot, of het is niet als formulier verzonden. Ga terug, laad de pagina opnieuw en probeer het nog eens.
error-not-admin-title = U hebt een beheerdersrol nodig
error-not-admin-body = Alleen gebruikers met een beheerdersrol kunnen het beheercentrum gebruiken. U kunt wel uw eigen account beheren.
error-code-invalid-value = Een waarde heeft niet de vereiste vorm.
error-code-invalid-user-principal-name = De gebruikersnaam voldoet niet aan de regels voor tekens of lengte.
error-code-unverified-domain = Het domein is geen geverifieerd domein van de organisatie.
error-code-invalid-proxy-address = Een e-mailadres is ongeldig, of er is niet precies één primair adres.
error-code-weak-password = Het wachtwoord voldoet niet aan de wachtwoordvereisten.
error-code-usage-location-required = Een licentie kan niet worden toegewezen aan een gebruiker zonder gebruikslocatie.
error-code-no-license-seats = Er zijn geen licenties beschikbaar voor dit product.
error-code-synced-object-read-only = Deze gebruiker wordt gesynchroniseerd vanuit uw on-premises directory en kan alleen daar worden gewijzigd.
error-code-user-principal-name-conflict = Een andere actieve gebruiker heeft deze gebruikersnaam al.
error-code-proxy-address-conflict = Een andere gebruiker of groep, actief of verwijderd, heeft dit e-mailadres al.
error-code-already-exists = Dit object of deze koppeling bestaat al.
error-code-not-found = Het object bestaat niet, is definitief verwijderd of is in de andere staat (actief of verwijderd).
error-code-forbidden = Uw beheerdersrol staat deze actie op deze gebruiker niet toe.
error-code-unauthenticated = U bent niet aangemeld, of uw sessie is verlopen.
error-code-account-locked = Te veel mislukte aanmeldingen: aanmelden is een tijdje geblokkeerd.
error-code-address-throttled = Te veel mislukte aanmeldingen vanaf dit netwerkadres: aanmelden vanaf dit adres is een tijdje gepauzeerd.
error-code-not-initialized = De directory is nog niet ingericht.
error-code-already-initialized = De directory is al ingericht.
error-code-unavailable = De database is nu niet bereikbaar. Probeer het zo opnieuw.
error-code-internal = Er ging iets onverwachts mis. Het serverlogboek bevat de details.
error-code-password-link-invalid = Deze link om een wachtwoord in te stellen is onbekend, verlopen of al gebruikt.

## Set-password link
set-password-title = Uw wachtwoord instellen
set-password-for = Kies een nieuw wachtwoord voor { $name }
set-password-invalid = Deze link is onbekend, verlopen of al gebruikt. Vraag uw beheerder om een nieuwe.
set-password-done = Uw wachtwoord is ingesteld. U kunt zich er nu mee aanmelden.
sign-in-throttled-title = Te veel aanmeldpogingen
sign-in-throttled-body = Er waren te veel aanmeldpogingen vanaf uw netwerk. Wacht een minuut en probeer het opnieuw.

## Mail log
nav-mail = E-maillogboek
mail-title = E-maillogboek
mail-status = Status
mail-status-all = Alle
mail-status-queued = In de wachtrij
mail-status-sending = Wordt verzonden
mail-status-sent = Verzonden
mail-status-failed = Mislukt
mail-filter = Filteren
mail-empty = Geen berichten.
mail-created = In wachtrij gezet op
mail-kind = Bericht
mail-kind-accountRestored = Account hersteld
mail-kind-restoreReport = Herstelrapport
mail-kind-purgeReminder = Herinnering definitieve verwijdering
mail-kind-passwordLink = Link om wachtwoord in te stellen
mail-recipients = Ontvangers
mail-language = Taal
mail-attempts = Pogingen
mail-sent = Verzonden op
mail-last-error = Laatste antwoord van de mailserver
field-primary = primair
