## Directorypagina's van het beheercentrum (eigenaar: pages). Sleutels beginnen met de pagina.

## Actieve gebruikers
users-title = Actieve gebruikers
users-add = Een gebruiker toevoegen
users-search = Lijst met actieve gebruikers doorzoeken
users-search-button = Zoeken
users-filter = Filter
users-filter-all = Alle gebruikers
users-filter-enabled = Aanmelden toegestaan
users-filter-disabled = Aanmelden geblokkeerd
users-empty = Er zijn geen gebruikers gevonden.
users-select = Selecteren
users-select-one = { $name } selecteren
users-col-name = Weergavenaam
users-col-upn = Gebruikersnaam
users-col-licenses = Licenties
users-unlicensed = Geen licentie
users-sign-in-blocked = aanmelden geblokkeerd
users-delete = Gebruiker verwijderen
users-pages = Pagina's
users-first-page = Eerste pagina
users-next-page = Volgende
users-cancel = Annuleren
users-close = Sluiten

## Een gebruiker toevoegen
add-user-title = Een gebruiker toevoegen
add-user-basics = De basisgegevens instellen
add-user-first-name = Voornaam
add-user-last-name = Achternaam
add-user-display-name = Weergavenaam
add-user-username = Gebruikersnaam
add-user-domain = Domeinen
add-user-password = Wachtwoordinstellingen
add-user-password-auto = Automatisch een wachtwoord maken
add-user-password-manual = Ik wil het wachtwoord zelf maken
add-user-password-field = Wachtwoord
add-user-force-change = Deze gebruiker moet het wachtwoord wijzigen bij de eerste aanmelding
add-user-licenses = Productlicenties toewijzen
add-user-location = Locatie selecteren
add-user-location-hint = Landcode van twee letters, zoals NL of US. Nodig om licenties toe te wijzen.
add-user-no-subscriptions = De organisatie heeft nog geen abonnementen.
add-user-free-seats = { $count ->
    [one] { $count } licentie beschikbaar
   *[other] { $count } licenties beschikbaar
}
add-user-submit = Toevoegen voltooien
user-added-title = Gebruiker toegevoegd
user-added-body = { $name } is toegevoegd aan de actieve gebruikers.
user-added-password-once = Kopieer het wachtwoord nu: het wordt maar één keer getoond.
user-added-force-change = De gebruiker moet dit wachtwoord wijzigen bij de eerste aanmelding.
user-added-license-failed = De gebruiker is toegevoegd, maar de licenties zijn niet toegewezen: { $reason }
user-added-another = Nog een gebruiker toevoegen

## Gebruikers verwijderen
delete-users-title = Gebruikers verwijderen
delete-users-none = Selecteer ten minste één gebruiker om te verwijderen.
delete-users-back = Terug naar actieve gebruikers
delete-users-question = { $count ->
    [one] Deze gebruiker verwijderen?
   *[other] Deze { $count } gebruikers verwijderen?
}
delete-users-explained = Verwijderde gebruikers behouden hun licenties, groepen, rollen en e-mailadressen en kunnen via Verwijderde gebruikers worden hersteld totdat de bewaartermijn afloopt (30 dagen, tenzij uw organisatie dat heeft gewijzigd). Hun licenties komen intussen beschikbaar voor anderen.
delete-users-release = Hun e-mailaliassen vrijgeven zodat anderen ze kunnen gebruiken
delete-users-confirm = { $count ->
    [one] Gebruiker verwijderen
   *[other] { $count } gebruikers verwijderen
}
deleted-result-title = Gebruikers verwijderen
deleted-result-deleted = { $count ->
    [one] { $count } gebruiker is verwijderd.
   *[other] { $count } gebruikers zijn verwijderd.
}
deleted-result-failed = { $count ->
    [one] { $count } gebruiker kon niet worden verwijderd.
   *[other] { $count } gebruikers konden niet worden verwijderd.
}
deleted-result-reason = Reden
deleted-result-released = Hun e-mailaliassen zijn vrijgegeven.
deleted-result-restorable = U kunt ze herstellen via Verwijderde gebruikers totdat ze definitief worden verwijderd.
deleted-result-to-bin = Naar Verwijderde gebruikers

## Licenties
licenses-title = Licenties
licenses-empty = De organisatie heeft geen abonnementen.
licenses-col-product = Product
licenses-col-bought = Gekocht
licenses-col-assigned = Toegewezen
licenses-col-available = Beschikbaar
licenses-over = { $count ->
    [one] { $count } te veel toegewezen
   *[other] { $count } te veel toegewezen
}

## Rollen
roles-title = Rollen
roles-col-role = Rol
roles-col-holders = Toegewezen beheerders
roles-nobody = Niemand heeft deze rol.

## Groepen
groups-title = Groepen
groups-empty = De organisatie heeft geen groepen.
groups-col-name = Naam
groups-col-mail = E-mail
groups-col-description = Beschrijving
groups-created = Gemaakt op
groups-back = Terug naar groepen
groups-owners = { $count ->
    [one] Eigenaren ({ $count })
   *[other] Eigenaren ({ $count })
}
groups-members = { $count ->
    [one] Leden ({ $count })
   *[other] Leden ({ $count })
}
groups-no-owners = Deze groep heeft geen eigenaren.
groups-no-members = Deze groep heeft geen leden.

## Auditlogboek
audit-title = Auditlogboek
audit-actor = Gestart door
audit-action = Activiteit
audit-any-action = Alle activiteiten
audit-target = Doel
audit-target-hint = Een doel precies zoals vastgelegd, zoals een gebruikersnaam, of een object-id.
audit-from = Van (UTC)
audit-to = Tot en met (UTC)
audit-apply = Toepassen
audit-clear = Filters wissen
audit-empty = Er zijn geen auditrecords gevonden.
audit-col-date = Datum (UTC)
audit-col-activity = Activiteit
audit-col-actor = Gestart door
audit-col-target = Doel
audit-col-result = Resultaat
audit-col-details = Details
audit-success = Geslaagd
audit-failure = Mislukt
audit-more = Meer weergeven
audit-bad-date = { $field }: voer een datum in als JJJJ-MM-DD.
