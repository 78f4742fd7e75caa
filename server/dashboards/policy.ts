/**
 * Who sees which figures: the coordination its own commune (per site), the state (land.nrw) every
 * commune – both only suppressed aggregates; nobody else. Staff posts are kept by the commune's
 * coordination or administration.
 */
import type { Actor } from '../auth/policy';
import { forbidden } from '../errors';

export type ReportScope = { view: 'kommune'; kommuneId: string } | { view: 'land' };

export function reportScope(a: Actor): ReportScope {
  if (a.role === 'land') return { view: 'land' };
  if (a.role === 'coordinator') {
    if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
    return { view: 'kommune', kommuneId: a.kommuneId };
  }
  throw forbidden('Kennzahlen und Exporte sehen nur die Koordination (eigene Kommune) und das Land.');
}

/** The state's dashboard: land only. */
export function assertLand(a: Actor): void {
  if (a.role !== 'land') throw forbidden('Die Landesübersicht sieht nur das Land; Koordinierende sehen die Kennzahlen ihrer Kommune.');
}

/** Returns the commune whose staff posts the actor keeps. */
export function assertCanKeepStaffPosts(a: Actor): string {
  if (a.role !== 'coordinator' && a.role !== 'admin') throw forbidden('Stellen (VZÄ) pflegen nur die Koordination und die Administration der Kommune.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
  return a.kommuneId;
}
