# Uitgaande e-mail (crates/mail). Datums staan als tekst in UTC.

mail-footer = Dit bericht is automatisch verstuurd door Roster voor { $organization }. Antwoorden worden niet gelezen.
mail-greeting = Beste { $name },

mail-restored-subject = Je account { $upn } is hersteld
mail-restored-body = Een beheerder van { $organization } heeft je account { $upn } hersteld. Je groepen, licenties en adressen zijn terug en je kunt er weer mee aanmelden.
mail-restored-password-changed = Je wachtwoord is bij het herstellen gewijzigd. Je beheerder vertelt je hoe je het nieuwe wachtwoord krijgt.
mail-restored-password-kept = Je wachtwoord is niet gewijzigd.
mail-restored-not-you = Je ontvangt dit bericht op je alternatieve e-mailadres. Had je het niet verwacht, laat het dan je beheerder weten.

mail-report-subject = Herstelrapport: { $restored } van { $total } gebruikers hersteld
mail-report-intro = Een beheerder van { $organization } heeft verwijderde gebruikers hersteld. Dit is het resultaat, één regel per gebruiker.
mail-report-user = Gebruiker
mail-report-result = Resultaat
mail-report-sign-in = Aanmelden
mail-report-restored = Hersteld
mail-report-already-active = Was al actief
mail-report-failed = Niet hersteld: { $message }
mail-report-link = Stel een wachtwoord in
mail-report-link-expires = De link werkt één keer, tot { $expires }.
mail-report-password = Wachtwoord: { $password }
mail-report-removed = Verwijderd na verzending
mail-report-none = Geen aanmeldgegevens

mail-reminder-subject = { $count ->
    [one] Eén verwijderde gebruiker wordt
   *[other] { $count } verwijderde gebruikers worden
} over { $days ->
    [one] 1 dag
   *[other] { $days } dagen
} definitief verwijderd
mail-reminder-intro = Deze gebruikers van { $organization } staan in de prullenbak. Ze kunnen worden hersteld tot het getoonde tijdstip; daarna worden ze definitief verwijderd.
mail-reminder-purge-at = Definitief verwijderd op { $date }

mail-link-subject = Stel een nieuw wachtwoord in voor { $upn }
mail-link-body = Een beheerder van { $organization } heeft een link gemaakt om een nieuw wachtwoord in te stellen voor { $name } ({ $upn }).
mail-link-action = Stel een nieuw wachtwoord in
mail-link-expires = De link werkt één keer en verloopt op { $expires }.
mail-link-ignore = Had je dit bericht niet verwacht? Gebruik de link dan niet en laat het je beheerder weten.
