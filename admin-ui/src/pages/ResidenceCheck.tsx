/**
 * "Bleiberecht prüfen" (case managers, ABH, coordinators): the inputs of the decision
 * kim-bleiberecht-vorpruefung → POST /api/bleiberecht/vorpruefung (no process, no personal data
 * stored) → per paragraph (§ 25a, § 25b) whether it is met, what is missing in German words, from
 * when it can be met, the latest application date and the deadlines.
 */
import { Box, Typography } from '@mui/material';
import { AUFENTHALTSSTATUS, AUFENTHALTSSTATUS_DE, CODE_25A_DE, CODE_25B_DE, FRIST_DE, labelOf, SPRACHNIVEAUS, VorpruefungResult } from '../../../processes/kim-bleiberecht/contract';
import { deDate, MetOrMissing, QuickCheckShell, type QuickField, yesNoFields } from './QuickCheckShell';

export const RESIDENCE_CHECK_PATH = '/bleiberecht/pruefen';
export const RESIDENCE_CHECK_ROLES = ['case_manager', 'abh', 'coordinator'];

const FIELDS: readonly QuickField[] = [
  { kind: 'date', key: 'stichtag', label: 'Stichtag', help: 'Standard: heute', today: true },
  { kind: 'date', key: 'geburtsdatum', label: 'Geburtsdatum' },
  { kind: 'date', key: 'aufenthaltSeit', label: 'Ununterbrochener Aufenthalt seit', help: 'erlaubt, geduldet oder gestattet; Unterbrechungen bis 3 Monate zählen nicht' },
  { kind: 'date', key: 'duldungSeit', label: 'Geduldet seit', help: 'nur bei Duldung' },
  { kind: 'select', key: 'aufenthaltsstatus', label: 'Aufenthaltsstatus', empty: 'nicht angegeben', options: AUFENTHALTSSTATUS.map((s) => [s, AUFENTHALTSSTATUS_DE[s]] as const) },
  { kind: 'select', key: 'sprachniveauMuendlich', label: 'Mündliche Deutschkenntnisse', empty: 'kein Nachweis', options: SPRACHNIVEAUS.map((s) => [s, s] as const) },
  { kind: 'count', key: 'nichtAnrechenbareTage', label: 'Tage mit § 60b-Duldung', help: 'seit Aufenthaltsbeginn; zählen nicht zur Aufenthaltsdauer; leer = 0' },
  ...yesNoFields([
    ['schulbesuchOderAbschluss', '3 Jahre erfolgreicher Schulbesuch in Deutschland oder deutscher Schul- bzw. Berufsabschluss'],
    ['minderjaehrigesKindImHaushalt', 'Lebt mit einem minderjährigen Kind in häuslicher Gemeinschaft'],
    ['lebensunterhaltUeberwiegendGesichert', 'Lebensunterhalt überwiegend durch Erwerbstätigkeit gesichert'],
    ['ausnahmeKrankheitBehinderungAlter', 'Ausnahme wegen Krankheit, Behinderung oder Alter (Lebensunterhalt und Sprache)'],
    ['bekenntnisFdgo', 'Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben'],
    ['schulpflichtigeKinderOhneSchulbesuch', 'Schulpflichtige Kinder besuchen die Schule nicht'],
    ['identitaetstaeuschung', 'Täuschung über Identität oder Staatsangehörigkeit'],
    ['ausweisungsinteresseSchwer', 'Schwerwiegendes Ausweisungsinteresse (z. B. Verurteilung)'],
  ]),
];

/** How each paragraph's part of the answer is worded. */
const PARAGRAPHS = [
  { key: 'paragraf25a', title: '§ 25a – gut integrierte Jugendliche und junge Volljährige', labels: CODE_25A_DE, zeitlich: 'Aufenthaltsdauer, Mindestalter und Duldungsdauer' },
  { key: 'paragraf25b', title: '§ 25b – nachhaltige Integration', labels: CODE_25B_DE, zeitlich: 'Aufenthaltsdauer und Volljährigkeit' },
] as const;

function Paragraph({ spec, p }: { spec: (typeof PARAGRAPHS)[number]; p: VorpruefungResult['paragraf25a'] | VorpruefungResult['paragraf25b'] }) {
  const latest = 'antragSpaetestensAm' in p ? p.antragSpaetestensAm : null;
  return (
    <Box component="section" aria-label={spec.title} sx={{ mt: 2 }}>
      <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 600 }}>
        {spec.title}
      </Typography>
      <MetOrMissing met={p.erfuellt} metText="Alle geprüften Voraussetzungen sind erfüllt." missing={p.fehlend.map((c) => labelOf(spec.labels, c))} />
      <Typography sx={{ mt: 1 }}>
        {p.fruehestensAb
          ? `${spec.zeitlich} erfüllt ab: ${deDate(p.fruehestensAb)}`
          : 'Ab wann die zeitlichen Voraussetzungen erfüllt sind, lässt sich ohne Geburtsdatum und Aufenthaltsbeginn nicht bestimmen.'}
      </Typography>
      {latest && <Typography>{`Antrag spätestens am: ${deDate(latest)} (Tag vor dem 27. Geburtstag)`}</Typography>}
    </Box>
  );
}

function Result({ r }: { r: VorpruefungResult }) {
  return (
    <>
      {PARAGRAPHS.map((spec) => (
        <Paragraph key={spec.key} spec={spec} p={r[spec.key]} />
      ))}
      <Box component="section" aria-label="Fristen" sx={{ mt: 2 }}>
        <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 600 }}>
          Fristen
        </Typography>
        {r.fristen.length === 0 ? (
          <Typography>Keine laufenden Fristen aus dieser Prüfung.</Typography>
        ) : (
          <ul style={{ marginTop: 0 }}>
            {r.fristen.map((f) => (
              <li key={f.code}>
                <strong>{deDate(f.datum)}</strong>: {labelOf(FRIST_DE, f.code)}
              </li>
            ))}
          </ul>
        )}
      </Box>
    </>
  );
}

export function ResidenceCheckPage() {
  return (
    <QuickCheckShell<VorpruefungResult>
      title="Bleiberecht prüfen"
      heading="Bleiberecht prüfen (§§ 25a, 25b AufenthG)"
      name="residence-check"
      roles={RESIDENCE_CHECK_ROLES}
      notAllowed="Die Bleiberechtsprüfung steht dem Fallmanagement, der Ausländerbehörde und der Koordination zur Verfügung."
      intro={
        'Prüft die Voraussetzungen für gut integrierte Jugendliche und junge Volljährige (§ 25a) und bei nachhaltiger Integration (§ 25b) mit derselben Entscheidung wie der Prozess – ' +
        'einschließlich des Übergangs nach § 104c bis 30.06.2027. Es werden keine Namen übertragen und keine Eingaben gespeichert. Leere Angaben gelten als „nein“ bzw. 0. Ermessensfragen ' +
        '(Integrationsprognose, Schritte zur Identitätsklärung) entscheidet die Ausländerbehörde.'
      }
      submitLabel="Bleiberecht prüfen"
      endpoint="/api/bleiberecht/vorpruefung"
      fields={FIELDS}
      result={(r) => <Result r={r} />}
    />
  );
}
