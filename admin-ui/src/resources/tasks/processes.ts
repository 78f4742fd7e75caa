/** The KIM processes with their German names (inbox filter, task lists on the start page). */
export const PROCESSES = [
  { id: 'kim-intake', name: 'Erstkontakt und Clearing' },
  { id: 'kim-case', name: 'Fallbegleitung' },
  { id: 'kim-referral', name: 'Vermittlung' },
  { id: 'kim-fallkonferenz', name: 'Fallkonferenz' },
  { id: 'kim-einbuergerung', name: 'Einbürgerung' },
  { id: 'kim-bleiberecht', name: 'Bleiberecht' },
  { id: 'kim-steuerung', name: 'Steuerung' },
];

/** A process's German name (a process drawn in the modeler under a new id shows by that id). */
export const processName = (id: string | null | undefined) => PROCESSES.find((p) => p.id === id)?.name ?? id ?? '—';

/** The inbox with the given filters (the inbox takes filters from the address over saved ones). */
export const inboxLink = (filter: Record<string, unknown>) => `/tasks?filter=${encodeURIComponent(JSON.stringify(filter))}`;
