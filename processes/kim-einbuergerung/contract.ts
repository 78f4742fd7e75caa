/**
 * kim-einbuergerung – Einbürgerungsvorbereitung: the strings the pre-check decision, its service,
 * the API and the tests share, once. The decision implements the table "Naturalisation pre-check
 * (§ 10 StAG …)" in shared/design/DOMAIN.md.
 */
export const PROCESS_ID = 'kim-einbuergerung';

/** The decision evaluated by the business rule task and by POST /api/einbuergerung/vorpruefung. */
export const DECISION_ID = 'kim-einbuergerung-vorpruefung';
/** The decision table it requires (one rule per unmet requirement, hit policy RULE ORDER). */
export const REQUIRED_DECISION_ID = 'kim-einbuergerung-voraussetzungen';
export const DMN_FILE = 'kim-einbuergerung-vorpruefung.dmn';

/** Requirement codes in the order of the table; fehlendeVoraussetzungen keeps this order. */
export const CODES = ['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'LEBENSUNTERHALT', 'STRAFFREIHEIT', 'BEKENNTNIS'] as const;
export type Voraussetzung = (typeof CODES)[number];

/** German labels of the codes (web app, README). */
export const CODE_DE: Record<Voraussetzung, string> = {
  AUFENTHALTSDAUER: '5 Jahre rechtmäßiger gewöhnlicher Aufenthalt',
  AUFENTHALTSTITEL: 'Geeigneter Aufenthaltstitel',
  SPRACHE: 'Deutschkenntnisse (B1)',
  EINBUERGERUNGSTEST: 'Einbürgerungstest',
  LEBENSUNTERHALT: 'Lebensunterhalt ohne SGB II/XII',
  STRAFFREIHEIT: 'Straffreiheit',
  BEKENNTNIS: 'Bekenntnis zur freiheitlichen demokratischen Grundordnung',
};

export const SPRACHNIVEAUS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
export type Sprachniveau = (typeof SPRACHNIVEAUS)[number];

/** Years of residence required (no shortening since autumn 2025). */
export const MIN_AUFENTHALT_JAHRE = 5;
export const MIN_VOLLZEIT_MONATE = 20;
export const MAX_BEWAEHRUNG_MONATE = 3;
export const MAX_TAGESSAETZE = 90;
export const TAGESSAETZE_JE_BEWAEHRUNGSMONAT = 30;

/** The decision's input variables. Missing ones count as false / 0 / null. */
export interface VorpruefungInput {
  stichtag?: string;
  aufenthaltSeit?: string | null;
  aufenthaltstitelGeeignet?: boolean;
  sprachniveau?: Sprachniveau | null;
  deutscherSchulabschluss?: boolean;
  befreiungSpracheUndTest?: boolean;
  einreiseAlsGastarbeiter?: boolean;
  einbuergerungstestBestanden?: boolean;
  bezugSgb2oder12?: boolean;
  vollzeitMonateLetzte24?: number;
  ehegatteVollzeitMitKind?: boolean;
  freiheitsstrafeOhneBewaehrung?: boolean;
  rassistischeMotivation?: boolean;
  bewaehrungsstrafeMonate?: number;
  verurteilungTagessaetze?: number;
  bekenntnisAbgegeben?: boolean;
}

export const INPUT_NAMES = [
  'stichtag',
  'aufenthaltSeit',
  'aufenthaltstitelGeeignet',
  'sprachniveau',
  'deutscherSchulabschluss',
  'befreiungSpracheUndTest',
  'einreiseAlsGastarbeiter',
  'einbuergerungstestBestanden',
  'bezugSgb2oder12',
  'vollzeitMonateLetzte24',
  'ehegatteVollzeitMitKind',
  'freiheitsstrafeOhneBewaehrung',
  'rassistischeMotivation',
  'bewaehrungsstrafeMonate',
  'verurteilungTagessaetze',
  'bekenntnisAbgegeben',
] as const satisfies ReadonlyArray<keyof VorpruefungInput>;

/** The decision's single result. */
export interface VorpruefungResult {
  eligible: boolean;
  fehlendeVoraussetzungen: Voraussetzung[];
  /** aufenthaltSeit + 5 years (YYYY-MM-DD); null without aufenthaltSeit. */
  fruehesterAntragstermin: string | null;
}
