/**
 * kim-steuerung – Baustein 1, from single cases to structures: system gaps reported from cases are
 * clustered into themes, the steering group (Lenkungsgruppe) decides on them, a project group works
 * out a measure, the steering group approves it, its implementation is tracked with reminders and
 * escalation, and closing the theme tells the case managers whose cases reported its gaps. Every
 * id, external-task topic, message, form id and variable name of the model lives here once;
 * workers, services, the web app and the tests import them.
 */
export const PROCESS_ID = 'kim-steuerung';

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB = {
  assignGap: 'kim.assign-system-gap',
  recordPriority: 'kim.record-steering-priority',
  saveMeasure: 'kim.save-steering-measure',
  startMeasure: 'kim.start-steering-measure',
  recordProgress: 'kim.record-measure-progress',
  closeTheme: 'kim.close-steering-theme',
  notifyClosure: 'kim.notify-steering-closure',
} as const;

/** Decisions the steering group takes in a meeting (recorded in the app, sent to the theme's instance). */
export const MSG = {
  /** A decision on a prioritised theme (variable `beschluss`). */
  decisionTaken: 'Msg_SteeringDecisionTaken',
  /** The steering group approved the measure or sent it back (variable `freigabe`). */
  measureDecided: 'Msg_MeasureDecided',
} as const;

/** Both wait in the process scope of the theme's instance, which carries `themeId`. */
export const CORRELATION = {
  [MSG.decisionTaken]: { variable: 'themeId', local: false },
  [MSG.measureDecided]: { variable: 'themeId', local: false },
} as const;

export const ERR = {} as const;

export const FORM = {
  assignGap: 'assign-system-gap',
  prioritiseTheme: 'prioritise-steering-theme',
  draftMeasure: 'draft-steering-measure',
  reportProgress: 'report-measure-progress',
  escalateMeasure: 'escalate-steering-measure',
  closeTheme: 'close-steering-theme',
} as const;

export const ELEMENT = {
  start: 'StartEvent_SteeringStarted',
  entry: 'Gateway_Entry',
  assignGap: 'Task_AssignSystemGap',
  recordAssignment: 'Task_RecordGapAssignment',
  gapAssigned: 'Gateway_GapAssigned',
  endGapJoined: 'EndEvent_GapJoinedTheme',
  endNoAction: 'EndEvent_NoActionNeeded',
  joinPrioritise: 'Gateway_JoinPrioritise',
  prioritiseTheme: 'Task_PrioritiseTheme',
  recordPriority: 'Task_RecordPriority',
  priorityNext: 'Gateway_PriorityNext',
  joinAwaitDecision: 'Gateway_JoinAwaitDecision',
  steeringDecision: 'Event_SteeringDecision',
  decision: 'Gateway_Decision',
  joinDraftMeasure: 'Gateway_JoinDraftMeasure',
  draftMeasure: 'Task_DraftMeasure',
  saveMeasure: 'Task_SaveMeasure',
  joinAwaitApproval: 'Gateway_JoinAwaitApproval',
  measureDecided: 'Event_MeasureDecided',
  approval: 'Gateway_Approval',
  joinStartImplementation: 'Gateway_JoinStartImplementation',
  startImplementation: 'Task_StartImplementation',
  joinTracking: 'Gateway_JoinTracking',
  awaitProgress: 'Gateway_AwaitProgress',
  reminderDue: 'Event_ReminderDue',
  targetDateMissed: 'Event_TargetDateMissed',
  reportProgress: 'Task_ReportProgress',
  recordProgress: 'Task_RecordProgress',
  measureDone: 'Gateway_MeasureDone',
  escalateMeasure: 'Task_EscalateMeasure',
  recordEscalation: 'Task_RecordEscalation',
  escalationOutcome: 'Gateway_EscalationOutcome',
  joinClose: 'Gateway_JoinClose',
  closeTheme: 'Task_CloseTheme',
  recordThemeClosed: 'Task_RecordThemeClosed',
  notifyCaseManagers: 'Task_NotifyCaseManagers',
  end: 'EndEvent_ThemeClosed',
} as const;

/** Candidate group prefix (+ kommuneId): every task of the process is the coordination's. */
export const GROUPS = { coordinator: 'coordinator:' } as const;

/**
 * Where an instance begins (start variable `einstieg`): a reported gap, or a theme that has no
 * running instance yet (created in the web app, from the demo data, or whose instance was lost) at
 * the point its state says – the steering service derives it (entryOf in server/steering).
 */
export const ENTRY = {
  gap: 'luecke',
  theme: 'thema',
  decision: 'beschluss',
  measure: 'massnahme',
  approval: 'freigabe',
  implementation: 'umsetzung',
  closing: 'abschluss',
} as const;
export type Entry = (typeof ENTRY)[keyof typeof ENTRY];

/** assign-system-gap: how the coordination files a gap. */
export const ASSIGNMENT = { existing: 'bestehend', newTheme: 'neu', noAction: 'kein_bedarf' } as const;
/** prioritise-steering-theme: what happens next. */
export const PRIORITY_NEXT = { steeringGroup: 'lenkungsgruppe', close: 'schliessen' } as const;
/** Decisions on a theme (message variable `beschluss`). */
export const DECISION = { projectGroup: 'projektgruppe', postpone: 'zurueckstellen', close: 'schliessen' } as const;
/** Approval of a measure (message variable `freigabe`). */
export const APPROVAL = { approved: 'freigegeben', sentBack: 'zurueckgewiesen' } as const;
/** report-measure-progress and escalate-steering-measure: variable `stand`. */
export const PROGRESS = { done: 'umgesetzt', running: 'laeuft', newTargetDate: 'neue_frist' } as const;

export const THEME_STATES = ['offen', 'priorisiert', 'in_bearbeitung', 'geschlossen'] as const;
export type ThemeState = (typeof THEME_STATES)[number];
export const MEASURE_STATES = ['entwurf', 'freigegeben', 'in_umsetzung', 'umgesetzt', 'zurueckgewiesen'] as const;
export type MeasureState = (typeof MEASURE_STATES)[number];
export const PRIORITIES = ['hoch', 'mittel', 'niedrig'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Kinds of agenda items and the decisions each allows. */
export const AGENDA_KINDS = ['thema', 'massnahme', 'eskalation', 'sonstiges'] as const;
export type AgendaKind = (typeof AGENDA_KINDS)[number];
export const DECISION_CODES = ['projektgruppe', 'zurueckstellen', 'schliessen', 'freigeben', 'zurueckweisen', 'kenntnis'] as const;
export type DecisionCode = (typeof DECISION_CODES)[number];
export const DECISIONS_OF: Record<AgendaKind, readonly DecisionCode[]> = {
  thema: ['projektgruppe', 'zurueckstellen', 'schliessen'],
  massnahme: ['freigeben', 'zurueckweisen'],
  eskalation: ['kenntnis'],
  sonstiges: ['kenntnis'],
};

/** Kinds of organisations in the steering group (DOMAIN.md: commune, welfare, Jobcenter, AA, BAMF, ABH/EBH). */
export const MEMBER_KINDS = ['Kommune', 'Wohlfahrtsverband', 'Jobcenter', 'AgenturFuerArbeit', 'BAMF', 'Auslaenderbehoerde', 'Einbuergerungsbehoerde', 'Sonstige'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];
export const MEMBER_FUNCTIONS = ['vorsitz', 'mitglied', 'stellvertretung', 'beratend'] as const;
export type MemberFunction = (typeof MEMBER_FUNCTIONS)[number];

// ---------------------------------------------------------------------------------------------
// German labels (web app, task view, README). Every code a user can meet has one.
// ---------------------------------------------------------------------------------------------

export const THEME_STATE_DE: Record<ThemeState, string> = {
  offen: 'offen',
  priorisiert: 'priorisiert – wartet auf die Lenkungsgruppe',
  in_bearbeitung: 'in Bearbeitung',
  geschlossen: 'geschlossen',
};
export const MEASURE_STATE_DE: Record<MeasureState, string> = {
  entwurf: 'Entwurf – wartet auf Freigabe',
  freigegeben: 'freigegeben',
  in_umsetzung: 'in Umsetzung',
  umgesetzt: 'umgesetzt',
  zurueckgewiesen: 'zur Überarbeitung zurückgegeben',
};
export const PRIORITY_DE: Record<Priority, string> = { hoch: 'hoch', mittel: 'mittel', niedrig: 'niedrig' };
export const AGENDA_KIND_DE: Record<AgendaKind, string> = {
  thema: 'Thema zur Entscheidung',
  massnahme: 'Maßnahme zur Freigabe',
  eskalation: 'Überfällige Maßnahme',
  sonstiges: 'Sonstiges',
};
export const DECISION_DE: Record<DecisionCode, string> = {
  projektgruppe: 'Projektgruppe beauftragen: Maßnahme ausarbeiten',
  zurueckstellen: 'Zurückstellen',
  schliessen: 'Ohne Maßnahme schließen',
  freigeben: 'Maßnahme freigeben',
  zurueckweisen: 'Zur Überarbeitung zurückgeben',
  kenntnis: 'Zur Kenntnis genommen',
};
export const MEMBER_KIND_DE: Record<MemberKind, string> = {
  Kommune: 'Kommune',
  Wohlfahrtsverband: 'Freie Wohlfahrtspflege',
  Jobcenter: 'Jobcenter',
  AgenturFuerArbeit: 'Agentur für Arbeit',
  BAMF: 'Bundesamt für Migration und Flüchtlinge (BAMF)',
  Auslaenderbehoerde: 'Ausländerbehörde',
  Einbuergerungsbehoerde: 'Einbürgerungsbehörde',
  Sonstige: 'Sonstige',
};
export const MEMBER_FUNCTION_DE: Record<MemberFunction, string> = { vorsitz: 'Vorsitz', mitglied: 'Mitglied', stellvertretung: 'Stellvertretung', beratend: 'beratend' };

/** Where a gap came from. */
export const GAP_SOURCE_DE = { vermittlung: 'aus einer Vermittlung', fallkonferenz: 'aus einer Fallkonferenz', direkt: 'direkt gemeldet' } as const;
export type GapSource = keyof typeof GAP_SOURCE_DE;

/** A code's German label, or the code itself when a newer model brings one this version does not know. */
export const labelOf = (map: Record<string, string>, code: string | null | undefined) => (code ? (map[code] ?? code) : '—');

/** Process variables: ids, codes and dates only – never titles, descriptions or notes. */
export interface SteeringStartVariables {
  kommuneId: string;
  einstieg: Entry;
  /** Entry `luecke`: the reported gap. */
  systemGapId?: string;
  /** Every other entry: the theme. */
  themeId?: string;
  /** Due date of the tasks from their creation (ISO 8601 duration, KIM_TASK_DUE). */
  bearbeitungsfrist: string;
  /** Wiedervorlage of a measure in implementation (ISO 8601 duration, KIM_STEERING_REMINDER_EVERY). */
  erinnerungIntervall: string;
}

export interface SteeringVariables extends SteeringStartVariables {
  /** assign-system-gap */
  zuordnung?: (typeof ASSIGNMENT)[keyof typeof ASSIGNMENT];
  themaId?: string;
  /** prioritise-steering-theme */
  prioritaet?: Priority;
  themaWeiter?: (typeof PRIORITY_NEXT)[keyof typeof PRIORITY_NEXT];
  /** Messages of the steering group. */
  beschluss?: (typeof DECISION)[keyof typeof DECISION];
  freigabe?: (typeof APPROVAL)[keyof typeof APPROVAL];
  /** Set by kim.save-steering-measure. */
  measureId?: string;
  /** Set by kim.start-steering-measure / kim.record-measure-progress: 00:00 (Berlin) of the day after the target date, ISO. */
  eskalationAm?: string;
  stand?: (typeof PROGRESS)[keyof typeof PROGRESS];
}

/**
 * Form input kept in the app database (TaskSubmission) instead of process variables: titles,
 * descriptions, notes, the owner organisation and dates the process does not decide on. The
 * workers read them with inputOf. Element id of the user task → form fields.
 */
export const PROTECTED_INPUT: Readonly<Record<string, readonly string[]>> = {
  [ELEMENT.assignGap]: ['themaTitel', 'themaBeschreibung', 'begruendung'],
  [ELEMENT.prioritiseTheme]: ['begruendung'],
  [ELEMENT.draftMeasure]: ['massnahmeTitel', 'verantwortlicheStelle', 'zieldatum', 'erwarteteWirkung', 'massnahmeBeschreibung'],
  [ELEMENT.reportProgress]: ['standNotiz'],
  [ELEMENT.escalateMeasure]: ['neuesZieldatum', 'standNotiz'],
  [ELEMENT.closeTheme]: ['ergebnis'],
};
