/**
 * Who may use the steering (Baustein 1): the coordination of a commune steers – themes, steering
 * group, meetings, measures – and sees only its own commune's rows. Case managers only get the
 * closing notices for their own site's cases. The state (land), the authorities (ABH/EBH) and the
 * administration get nothing: themes are the coordination's working material, not a report.
 */
import { forbidden } from '../errors';
import type { Actor } from '../auth/policy';

/** Coordinators of a commune; returns their commune. */
export function assertSteers(a: Actor): string {
  if (a.role !== 'coordinator') throw forbidden('Die Steuerung (Themen, Lenkungsgruppe, Maßnahmen) ist der Koordination vorbehalten.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
  return a.kommuneId;
}

/** Case managers: the closing notices of their own site's cases. */
export function assertReadsNotices(a: Actor): { kommuneId: string; siteId: string } {
  if (a.role !== 'case_manager') throw forbidden('Rückmeldungen aus der Steuerung gehen an die Fallverantwortlichen.');
  if (!a.kommuneId || !a.siteId) throw forbidden('Ihr Konto ist keinem Standort zugeordnet.');
  return { kommuneId: a.kommuneId, siteId: a.siteId };
}
