# Verwijderde gebruikers en de herstelwizard (crates/web/src/admin/deleted). De woorden van
# Microsofts "Een gebruiker herstellen" waar die er zijn.

restore-list-title = Verwijderde gebruikers
restore-list-intro = Selecteer de namen van de gebruikers die u wilt herstellen en selecteer vervolgens Herstellen. Een gebruiker kan worden hersteld tot de datum van definitieve verwijdering.
restore-list-caption = Verwijderde gebruikers die nog kunnen worden hersteld
restore-list-empty = Geen verwijderde gebruikers gevonden.
restore-list-count = { $count ->
    [one] Eén verwijderde gebruiker
   *[other] { $count } verwijderde gebruikers
}
restore-list-count-more = { $count ->
    [one] Meer dan één verwijderde gebruiker gevonden
   *[other] Meer dan { $count } verwijderde gebruikers gevonden
}
restore-search-label = Zoeken op naam of gebruikersnaam
restore-search-button = Zoeken
restore-paging = Pagina's
restore-first-page = Eerste pagina
restore-next-page = Volgende pagina
restore-select = Selecteren
restore-select-user = { $name } selecteren
restore-col-name = Weergavenaam
restore-col-upn = Gebruikersnaam
restore-col-deleted-on = Verwijderd op
restore-col-purge-on = Datum van definitieve verwijdering
restore-col-days-left = Dagen over
restore-col-licenses = Licenties
restore-col-roles = Beheerdersrollen
restore-col-actions = Acties
restore-col-final-upn = Gebruikersnaam na herstel
restore-col-what-happens = Wat er gebeurt
restore-col-result = Resultaat
restore-col-details = Details
restore-button = Herstellen
restore-next = Volgende
restore-cancel = Annuleren
restore-report-sent = { $count ->
    [one] De e-mail is naar één ontvanger verzonden.
   *[other] De e-mail is naar { $count } ontvangers verzonden.
}

restore-title = Gebruikers herstellen
restore-bad-form = Het formulier is verouderd of gewijzigd (veld “{ $field }”). Ga terug naar Verwijderde gebruikers en begin opnieuw.
restore-none-selected = Selecteer ten minste één gebruiker die nog in de prullenbak staat en selecteer vervolgens Herstellen.
restore-gone = { $count ->
    [one] Eén geselecteerde gebruiker staat niet meer in de prullenbak: die is intussen hersteld of definitief verwijderd.
   *[other] { $count } geselecteerde gebruikers staan niet meer in de prullenbak: ze zijn intussen hersteld of definitief verwijderd.
}
restore-selected-heading = { $count ->
    [one] Eén gebruiker herstellen
   *[other] { $count } gebruikers herstellen
}
restore-password-intro = Volg de aanwijzingen om hun wachtwoord in te stellen en selecteer vervolgens Herstellen.
restore-password-legend = Wachtwoord
restore-password-auto = Automatisch een wachtwoord genereren
restore-password-manual = Ik wil zelf het wachtwoord maken
restore-password-new = Wachtwoord
restore-password-hint = Ten minste 15 tekens. Vermijd veelgebruikte wachtwoorden en de gebruikersnaam.
restore-password-keep = Het wachtwoord van de gebruiker behouden
restore-force-change = Deze gebruiker moet het wachtwoord wijzigen bij de eerste aanmelding

restore-conflicts-title = Gebruikersnaamconflicten
restore-conflicts-intro = Een gebruikersnaamconflict doet zich voor wanneer u een gebruikersaccount verwijdert, een nieuw gebruikersaccount met dezelfde gebruikersnaam maakt en daarna het verwijderde account wilt herstellen. U kunt dit oplossen door het actieve gebruikersaccount te vervangen door het account dat u herstelt. U kunt ook een andere gebruikersnaam toewijzen aan het account dat u herstelt, zodat er niet twee accounts met dezelfde gebruikersnaam zijn.
restore-conflict-legend = { $name }
restore-conflict-taken = Een andere actieve gebruiker heeft al de gebruikersnaam { $upn }.
restore-conflict-rename-active = De actieve gebruiker vervangen: de actieve gebruiker een andere naam geven en deze gebruiker zijn gebruikersnaam teruggeven
restore-conflict-new-upn = Een nieuwe gebruikersnaam (primair e-mailadres) typen voor de gebruiker die u herstelt
restore-conflict-new-upn-field = Nieuwe gebruikersnaam

restore-preview-title = Controleren en herstellen
restore-preview-intro = Dit gebeurt er met elke gebruiker. Er is nog niets gewijzigd. Alle conflicterende proxyadressen worden automatisch verwijderd van de gebruiker die u herstelt.
restore-preview-password-auto = Voor elke gebruiker wordt een nieuw wachtwoord gegenereerd en één keer getoond.
restore-preview-password-manual = Elke gebruiker krijgt het wachtwoord dat u hebt getypt.
restore-preview-password-keep = Elke gebruiker behoudt het wachtwoord dat hij had.
restore-preview-force-change = Gebruikers moeten het wijzigen bij de eerste aanmelding.
restore-preview-failures = { $count ->
    [one] Eén gebruiker kan zo niet worden hersteld. U kunt de anderen wel herstellen.
   *[other] { $count } gebruikers kunnen zo niet worden hersteld. U kunt de anderen wel herstellen.
}
restore-preview-replaced = De actieve gebruiker { $upn } krijgt een andere naam, zodat deze gebruiker zijn gebruikersnaam terugkrijgt.
restore-preview-removed = Deze adressen zijn van iemand anders en worden van deze gebruiker verwijderd:
restore-preview-licenses = Geen licentie beschikbaar, dus deze worden niet opnieuw toegewezen: { $licenses }. Wijs een licentie toe nadat u hebt hersteld.
restore-preview-groups = Deze groepen zijn verwijderd, dus de gebruiker komt er niet in terug: { $groups }
restore-preview-plain = Wordt hersteld zoals het was, met groepen, licenties, beheerdersrollen en adressen.
restore-promoted = Het nieuwe primaire e-mailadres is { $address }.
restore-held-by-user = (in gebruik bij { $name })
restore-held-by-deleted-user = (in gebruik bij de verwijderde gebruiker { $id })
restore-held-by-group = (in gebruik bij de groep { $name })

restore-results-title = Resultaten van het herstel
restore-failed-some = De herstelbewerking is voor sommige gebruikers mislukt. Kijk in het logbestand welke gebruikers niet zijn hersteld en herstel die accounts een voor een.
restore-succeeded = { $count ->
    [one] De gebruiker is hersteld en kan zich aanmelden met hetzelfde werk- of schoolaccount.
   *[other] { $count } gebruikers zijn hersteld en kunnen zich aanmelden met hetzelfde werk- of schoolaccount.
}
restore-password-reminder = Laat een gebruiker die u hebt hersteld weten dat het wachtwoord is gewijzigd, en neem daarna contact met hem of haar op.
restore-status-restored = Hersteld
restore-status-already-active = Al actief: de gebruiker was al hersteld.
restore-status-failed = Niet hersteld
restore-result-password = Nieuw wachtwoord (wordt alleen nu getoond):
restore-result-replaced = De actieve gebruiker heeft een andere naam gekregen:
restore-result-removed = Verwijderd vanwege een proxyadresconflict:
restore-result-licenses = Geen licentie beschikbaar, niet opnieuw toegewezen: { $licenses }. Wijs een licentie toe nadat u hebt hersteld.
restore-result-over-assigned = Opnieuw toegewezen boven het aantal gekochte licenties: { $licenses }
restore-result-groups = Niet terug in deze verwijderde groepen: { $groups }
restore-retry = { $name } opnieuw herstellen
restore-download-log = Logbestand downloaden (CSV)
restore-recipients = Resultaten verzenden naar
restore-recipients-hint = E-mailadressen, gescheiden door komma's.
restore-include-credentials = Een manier om aan te melden meesturen (een eenmalige koppeling om een wachtwoord in te stellen, als uw organisatie dat toestaat)
restore-send-email-and-close = E-mail verzenden en sluiten
restore-close = Sluiten
restore-log-removed = adressen verwijderd: { $addresses }
restore-log-licenses = licenties niet opnieuw toegewezen: { $licenses }
restore-log-groups = groepen overgeslagen: { $groups }
restore-log-replaced = actieve gebruiker hernoemd naar { $upn }

restore-forbidden-caller = Uw beheerdersrol staat het herstellen van gebruikers niet toe. U moet een globale beheerder of gebruikersbeheerder zijn om deze stappen uit te voeren.
restore-forbidden-target = Deze gebruiker heeft de beheerdersrol { $roles }. Met uw beheerdersrol kunt u een gebruiker met die rol niet herstellen: vraag het een globale beheerder of een beheerder met bevoegdheden voor verificatie.
restore-upn-taken = Een andere actieve gebruiker heeft al de gebruikersnaam { $upn }.
restore-address-taken = Een ander object heeft al het adres { $address }.
restore-not-found = Deze gebruiker staat niet meer in de prullenbak: die is hersteld of definitief verwijderd.
