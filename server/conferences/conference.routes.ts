/**
 * POST /api/conferences/start – starts kim-fallkonferenz for a case (occasion, agencies to invite).
 * Mounted before the generic /api/conferences resource; the rules live in ConferenceService.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ConferenceService } from './conference.service';
import { DomainError } from '../errors';
import { asyncRoute, parseBody } from '../http/http';
import { requireActor } from '../http/session';

export const startConferenceSchema = z.object({
  caseId: z.string().min(1, 'Pflichtfeld'),
  anlass: z.string().trim().min(3, 'Bitte den Anlass nennen (mindestens 3 Zeichen)').max(2000),
  agencies: z.array(z.string().min(1)).min(1, 'Mindestens eine Stelle auswählen').max(30),
});

export function conferenceRoutes(deps: { conferences?: ConferenceService }): Router {
  const r = Router();
  r.post(
    '/start',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      if (!deps.conferences) throw new DomainError(503, 'Fallkonferenzen sind derzeit nicht verfügbar.', 'unavailable');
      const body = parseBody(startConferenceSchema, req.body);
      const c = await deps.conferences.startConference(a, body, req.requestId);
      res.status(201).json({ id: c.id, caseId: c.caseId, status: c.status, processInstanceKey: c.processInstanceKey, participants: c.participants.map((p) => ({ id: p.id, organisationId: p.organisationId, name: p.name })) });
    }),
  );
  return r;
}
