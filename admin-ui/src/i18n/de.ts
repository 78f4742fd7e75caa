/**
 * German UI text. ra-language-german (3.x) predates react-admin 5; the keys it lacks are added here
 * so no English string ever reaches the user. The app's own texts live under `kim` and `resources`.
 */
import germanMessages from 'ra-language-german';
import type { TranslationMessages } from 'react-admin';

type Tree = { [key: string]: string | Tree };

function merge(base: Tree, extra: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = typeof v === 'object' && typeof b === 'object' ? merge(b, v) : v;
  }
  return out;
}

const missingInGerman: Tree = {
  ra: {
    action: {
      clear_array_input: 'Liste leeren',
      create_item: '%{item} erstellen',
      remove_all_filters: 'Alle Filter entfernen',
      reset: 'Zurücksetzen',
      search_columns: 'Spalten durchsuchen',
      select_all: 'Alle auswählen',
      select_all_button: 'Alle auswählen',
      select_row: 'Diese Zeile auswählen',
      update: 'Aktualisieren',
      move_up: 'Nach oben',
      move_down: 'Nach unten',
      open: 'Öffnen',
      backToList: 'Zur Aufgabenliste',
      toggle_theme: 'Hell/Dunkel umschalten',
      select_columns: 'Spalten',
      update_application: 'Anwendung neu laden',
      close: 'Schließen',
      close_menu: 'Menü schließen',
      open_menu: 'Menü öffnen',
    },
    page: {
      access_denied: 'Zugriff verweigert',
      authentication_error: 'Anmeldefehler',
    },
    message: {
      access_denied: 'Sie haben keine Berechtigung für diese Seite.',
      authentication_error: 'Der Anmeldedienst hat einen Fehler gemeldet; Ihre Anmeldung konnte nicht geprüft werden.',
      auth_error: 'Beim Prüfen der Anmeldung ist ein Fehler aufgetreten.',
      bulk_update_content: 'Möchten Sie %{name} %{recordRepresentation} wirklich ändern? |||| Möchten Sie diese %{smart_count} Elemente wirklich ändern?',
      bulk_update_title: '%{name} %{recordRepresentation} ändern |||| %{smart_count} %{name} ändern',
      clear_array_input: 'Möchten Sie die ganze Liste wirklich leeren?',
      select_all_limit_reached: 'Es gibt zu viele Elemente, um alle auszuwählen. Nur die ersten %{max} wurden ausgewählt.',
      placeholder_data_warning: 'Netzwerkproblem: Die Daten konnten nicht aktualisiert werden.',
    },
    navigation: {
      clear_filters: 'Filter zurücksetzen',
      no_filtered_results: 'Keine %{name} zu den aktuellen Filtern gefunden.',
      partial_page_range_info: '%{offsetBegin}–%{offsetEnd} von mehr als %{offsetEnd}',
      current_page: 'Seite %{page}',
      page: 'Zu Seite %{page}',
      first: 'Zur ersten Seite',
      last: 'Zur letzten Seite',
      previous: 'Zur vorherigen Seite',
    },
    sort: {
      sort_by: 'Sortieren nach %{field_lower_first} %{order}',
      ASC: 'aufsteigend',
      DESC: 'absteigend',
    },
    auth: {
      email: 'E-Mail',
    },
    notification: {
      not_authorized: 'Sie sind nicht berechtigt, auf diese Ressource zuzugreifen.',
      application_update_available: 'Eine neue Version ist verfügbar.',
      offline: 'Keine Verbindung. Die Daten konnten nicht geladen werden.',
    },
    validation: {
      unique: 'Muss eindeutig sein',
    },
    saved_queries: {
      label: 'Gespeicherte Abfragen',
      query_name: 'Name der Abfrage',
      new_label: 'Aktuelle Abfrage speichern …',
      new_dialog_title: 'Aktuelle Abfrage speichern als',
      remove_label: 'Gespeicherte Abfrage entfernen',
      remove_label_with_name: 'Abfrage „%{name}“ entfernen',
      remove_dialog_title: 'Gespeicherte Abfrage entfernen?',
      remove_message: 'Möchten Sie diese Abfrage wirklich aus Ihrer Liste entfernen?',
      help: 'Filtern Sie die Liste und speichern Sie die Abfrage für später',
    },
    guesser: {
      empty: {
        title: 'Keine Daten vorhanden',
        message: 'Bitte prüfen Sie den Datenanbieter',
      },
    },
    configurable: {
      customize: 'Anpassen',
      configureMode: 'Diese Seite anpassen',
      inspector: {
        title: 'Inspektor',
        content: 'Bewegen Sie den Mauszeiger über Elemente der Oberfläche, um sie anzupassen',
        reset: 'Einstellungen zurücksetzen',
        hideAll: 'Alle ausblenden',
        showAll: 'Alle anzeigen',
      },
      Datagrid: {
        title: 'Tabelle',
        unlabeled: 'Spalte ohne Titel #%{column}',
      },
      SimpleForm: {
        title: 'Formular',
        unlabeled: 'Eingabe ohne Titel #%{input}',
      },
      SimpleList: {
        title: 'Liste',
        primaryText: 'Haupttext',
        secondaryText: 'Zweiter Text',
        tertiaryText: 'Dritter Text',
      },
    },
  },
};

const app: Tree = {
  ra: {
    page: { dashboard: 'Startseite' },
  },
  resources: {
    cases: { name: 'Fall |||| Fälle' },
    models: { name: 'Prozess |||| Prozesse' },
    tasks: {
      name: 'Aufgabe |||| Aufgaben',
      empty: 'Keine Aufgaben in dieser Ansicht.',
      fields: {
        name: 'Aufgabe',
        processDefinitionId: 'Prozess',
        caseId: 'Fall',
        createdAt: 'erstellt',
        dueDate: 'fällig',
        followUpDate: 'Wiedervorlage',
        priority: 'Priorität',
        assignee: 'Bearbeitung',
        candidateGroups: 'Gruppen',
        state: 'Status',
        completedAt: 'abgeschlossen am',
        completedBy: 'abgeschlossen von',
        q: 'Aufgabe suchen',
        client: 'Klient/in',
        siteId: 'Standort',
        lifeArea: 'Lebensbereich',
      },
    },
  },
  kim: {
    title: 'KIM Prozessplattform',
    login: {
      heading: 'Anmeldung',
      intro: 'Melden Sie sich mit Ihrem Benutzerkonto an.',
      // Must agree with MAX_FAILED_LOGINS / LOCK_MINUTES in server/auth/auth.service.ts (test/api/auth.test.ts checks both).
      lockRule: 'Fünf falsche Passwörter hintereinander sind erlaubt; beim sechsten wird das Konto für 15 Minuten gesperrt.',
      username: 'Benutzername',
      password: 'Passwort',
      submit: 'Anmelden',
      missing: 'Bitte Benutzernamen und Passwort angeben.',
    },
    tasks: {
      views: 'Ansichten',
      mine: 'Meine Aufgaben',
      group: 'Gruppenaufgaben',
      all: 'Alle Aufgaben',
      unassigned: 'offen',
      count: '%{smart_count} Aufgabe |||| %{smart_count} Aufgaben',
      countCapped: 'mehr als %{count} Aufgaben',
      live: 'Aktualisiert sich automatisch',
      liveOffline: 'Live-Aktualisierung unterbrochen – wird neu verbunden …',
      pseudonym: 'Pseudonym',
      loading: 'Aufgaben werden geladen …',
      claim: 'Übernehmen',
      unclaim: 'Zurückgeben',
      complete: 'Abschließen',
      open: 'Öffnen',
      backToList: 'Zur Aufgabenliste',
      claimed: 'Aufgabe übernommen.',
      unclaimed: 'Aufgabe zurückgegeben.',
      completed: 'Aufgabe abgeschlossen.',
      states: { CREATED: 'offen', COMPLETED: 'abgeschlossen', CANCELED: 'abgebrochen' },
    },
    dashboard: {
      welcome: 'Willkommen, %{name}',
      signedInAs: 'Angemeldet als',
      role: 'Rolle',
      kommune: 'Kommune',
      health: 'Systemzustand',
      component: 'Bestandteil',
      status: 'Status',
      database: 'Datenbank',
      engine: 'Engine',
      workers: 'Worker',
      up: 'verfügbar',
      down: 'nicht verfügbar',
      loading: 'Systemzustand wird geladen …',
      version: 'Version %{version}',
      toInbox: 'Zu meinen Aufgaben',
    },
    roles: {
      case_manager: 'Fallmanagement',
      coordinator: 'Koordination',
      abh: 'Ausländerbehörde',
      ebh: 'Einbürgerungsbehörde',
      land: 'Land NRW',
      admin: 'Administration',
    },
  },
};

export const deMessages = merge(merge(germanMessages as unknown as Tree, missingInGerman), app) as unknown as TranslationMessages;
