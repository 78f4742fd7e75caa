/**
 * "Einbürgerung – Schnellprüfung" (case managers, coordinators, EBH): the inputs of the decision
 * kim-einbuergerung-vorpruefung → POST /api/einbuergerung/vorpruefung (no process, no personal
 * data) → eligible, the missing requirements in German words, the earliest application date.
 */
import { Typography } from '@mui/material';
import { CODE_DE, SPRACHNIVEAUS, Voraussetzung, VorpruefungResult } from '../../../processes/kim-einbuergerung/contract';
import { deDate, MetOrMissing, QuickCheckShell, type QuickField, yesNoFields } from './QuickCheckShell';

export const QUICK_CHECK_PATH = '/einbuergerung/schnellpruefung';
export const QUICK_CHECK_ROLES = ['case_manager', 'coordinator', 'ebh'];

const FIELDS: readonly QuickField[] = [
  { kind: 'date', key: 'stichtag', label: 'Stichtag', help: 'Standard: heute', today: true },
  { kind: 'date', key: 'aufenthaltSeit', label: 'Rechtmäßiger Aufenthalt seit' },
  { kind: 'select', key: 'sprachniveau', label: 'Sprachniveau Deutsch', empty: 'kein Nachweis', options: SPRACHNIVEAUS.map((s) => [s, s] as const) },
  { kind: 'count', key: 'vollzeitMonateLetzte24', label: 'Monate in Vollzeit in den letzten 24 Monaten', help: '0 bis 24', max: 24 },
  { kind: 'count', key: 'bewaehrungsstrafeMonate', label: 'Bewährungsstrafe in Monaten', help: 'leer = 0' },
  { kind: 'count', key: 'verurteilungTagessaetze', label: 'Geldstrafe in Tagessätzen', help: 'leer = 0' },
  ...yesNoFields([
    ['aufenthaltstitelGeeignet', 'Geeigneter Aufenthaltstitel (z. B. Niederlassungserlaubnis)'],
    ['deutscherSchulabschluss', 'Deutscher Schulabschluss'],
    ['befreiungSpracheUndTest', 'Befreit von Sprachnachweis und Test (Krankheit, Behinderung oder Alter)'],
    ['einreiseAlsGastarbeiter', 'Eingereist als Gastarbeiterin/Gastarbeiter oder Vertragsarbeitnehmerin/Vertragsarbeitnehmer'],
    ['einbuergerungstestBestanden', 'Einbürgerungstest bestanden'],
    ['bezugSgb2oder12', 'Bezieht Leistungen nach SGB II oder SGB XII'],
    ['ehegatteVollzeitMitKind', 'Ehepartner/in arbeitet in Vollzeit, mit minderjährigem Kind im Haushalt'],
    ['freiheitsstrafeOhneBewaehrung', 'Verurteilt zu Freiheitsstrafe ohne Bewährung'],
    ['rassistischeMotivation', 'Verurteilung mit rassistischer, antisemitischer oder anderer menschenverachtender Motivation'],
    ['bekenntnisAbgegeben', 'Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben'],
  ]),
];

function Result({ r }: { r: VorpruefungResult }) {
  return (
    <>
      <MetOrMissing met={r.eligible} metText="Alle geprüften Voraussetzungen für die Einbürgerung sind erfüllt." missing={r.fehlendeVoraussetzungen.map((c) => CODE_DE[c as Voraussetzung] ?? c)} />
      <Typography sx={{ mt: 1 }}>
        {r.fruehesterAntragstermin ? `Frühester Antragstermin (nach Aufenthaltsdauer): ${deDate(r.fruehesterAntragstermin)}` : 'Frühester Antragstermin: ohne Datum des Aufenthalts nicht bestimmbar.'}
      </Typography>
    </>
  );
}

export function QuickCheckPage() {
  return (
    <QuickCheckShell<VorpruefungResult>
      title="Einbürgerung – Schnellprüfung"
      name="quick-check"
      roles={QUICK_CHECK_ROLES}
      notAllowed="Die Schnellprüfung steht dem Fallmanagement, der Koordination und der Einbürgerungsbehörde zur Verfügung."
      intro="Prüft die Voraussetzungen nach § 10 StAG mit derselben Entscheidungstabelle wie der Prozess. Es werden keine Namen oder personenbezogenen Daten übertragen und nichts gespeichert. Leere Angaben gelten als „nein“ bzw. 0."
      submitLabel="Voraussetzungen prüfen"
      endpoint="/api/einbuergerung/vorpruefung"
      fields={FIELDS}
      result={(r) => <Result r={r} />}
    />
  );
}
