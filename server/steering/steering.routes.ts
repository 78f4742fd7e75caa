/**
 * /api/steuerung – the coordination's steering (Baustein 1): themes with their gaps, measures, the
 * steering group's members and meetings with agenda, minutes and decisions; and the closing
 * notices case managers get for their own site's cases. Lists speak ra-data-simple-rest's dialect.
 * Rights and commune are checked in the service (server/steering/steering.policy.ts).
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { DECISION_CODES, MEMBER_FUNCTIONS, MEMBER_KINDS } from '../../processes/kim-steuerung/contract';
import { asyncRoute, parseBody, parseListParams, sendList, type ListParams } from '../http/http';
import { requireActor } from '../http/session';
import type { SteeringService } from './steering.service';

const title = z.string({ error: 'Bitte einen Titel angeben.' }).trim().min(1, { error: 'Bitte einen Titel angeben.' }).max(200, { error: 'Höchstens 200 Zeichen.' });
const longText = (max: number) => z.string().max(max, { error: `Höchstens ${max} Zeichen.` });
const dateTime = z.iso.datetime({ offset: true, error: 'Bitte Datum und Uhrzeit angeben (ISO 8601, z. B. 2027-03-10T14:00:00+01:00).' });

export const themeCreateSchema = z.strictObject({ title, description: longText(4000).optional() });
export const themeUpdateSchema = z.strictObject({ title: title.optional(), description: longText(4000).optional() });
export const gapMoveSchema = z.strictObject({ themeId: z.uuid({ error: 'Bitte ein Thema wählen.' }) });
export const memberCreateSchema = z.strictObject({
  organisation: z.string({ error: 'Bitte die Organisation angeben.' }).trim().min(1, { error: 'Bitte die Organisation angeben.' }).max(200),
  kind: z.enum(MEMBER_KINDS, { error: 'Bitte die Art der Organisation wählen.' }),
  function: z.enum(MEMBER_FUNCTIONS, { error: 'Bitte die Funktion wählen.' }).optional(),
  representative: z.string().max(200).nullable().optional(),
  active: z.boolean({ error: 'Bitte ja oder nein angeben (true/false).' }).optional(),
});
export const memberUpdateSchema = memberCreateSchema.partial();
export const meetingCreateSchema = z.strictObject({ date: dateTime, location: z.string().max(200).nullable().optional(), title: z.string().max(200).optional() });
export const meetingUpdateSchema = z.strictObject({
  title: title.optional(),
  date: dateTime.optional(),
  location: z.string().max(200).nullable().optional(),
  minutes: longText(20_000).nullable().optional(),
  status: z.enum(['geplant', 'durchgefuehrt'], { error: 'Stand: geplant oder durchgefuehrt.' }).optional(),
});
export const agendaItemCreateSchema = z.strictObject({ title });
export const agendaItemUpdateSchema = z.strictObject({ notes: longText(10_000).nullable() });
export const decisionSchema = z.strictObject({
  code: z.enum(DECISION_CODES, { error: `Bitte einen Beschluss wählen (${DECISION_CODES.join(', ')}).` }),
  text: longText(4000).nullable().optional(),
});

export function steeringRoutes(steering: SteeringService): Router {
  const r = Router();
  const list = (path: string, resource: string, fn: (req: Request, p: ListParams) => Promise<{ rows: unknown[]; total: number }>) =>
    r.get(
      path,
      asyncRoute(async (req, res) => {
        const p = parseListParams(req.query);
        const { rows, total } = await fn(req, p);
        sendList(res, resource, rows, p.offset, total);
      }),
    );

  list('/themen', 'themen', (req, p) => steering.listThemes(requireActor(req), p));
  r.post('/themen', asyncRoute(async (req, res) => res.status(201).json(await steering.createTheme(requireActor(req), parseBody(themeCreateSchema, req.body), req.requestId))));
  r.get('/themen/:id', asyncRoute(async (req, res) => res.json(await steering.getTheme(requireActor(req), String(req.params.id)))));
  r.put('/themen/:id', asyncRoute(async (req, res) => res.json(await steering.updateTheme(requireActor(req), String(req.params.id), parseBody(themeUpdateSchema, req.body), req.requestId))));
  r.put('/luecken/:id', asyncRoute(async (req, res) => res.json(await steering.moveGap(requireActor(req), String(req.params.id), parseBody(gapMoveSchema, req.body), req.requestId))));

  list('/massnahmen', 'massnahmen', (req, p) => steering.listMeasures(requireActor(req), p));
  r.get('/massnahmen/:id', asyncRoute(async (req, res) => res.json(await steering.getMeasure(requireActor(req), String(req.params.id)))));

  list('/mitglieder', 'mitglieder', (req) => steering.listMembers(requireActor(req)));
  r.post('/mitglieder', asyncRoute(async (req, res) => res.status(201).json(await steering.createMember(requireActor(req), parseBody(memberCreateSchema, req.body), req.requestId))));
  r.get('/mitglieder/:id', asyncRoute(async (req, res) => res.json(await steering.getMember(requireActor(req), String(req.params.id)))));
  r.put('/mitglieder/:id', asyncRoute(async (req, res) => res.json(await steering.updateMember(requireActor(req), String(req.params.id), parseBody(memberUpdateSchema, req.body), req.requestId))));
  r.delete('/mitglieder/:id', asyncRoute(async (req, res) => res.json(await steering.deleteMember(requireActor(req), String(req.params.id), req.requestId))));

  list('/sitzungen', 'sitzungen', (req, p) => steering.listMeetings(requireActor(req), p));
  r.post('/sitzungen', asyncRoute(async (req, res) => res.status(201).json(await steering.createMeeting(requireActor(req), parseBody(meetingCreateSchema, req.body), req.requestId))));
  r.get('/sitzungen/:id', asyncRoute(async (req, res) => res.json(await steering.getMeeting(requireActor(req), String(req.params.id)))));
  r.put('/sitzungen/:id', asyncRoute(async (req, res) => res.json(await steering.updateMeeting(requireActor(req), String(req.params.id), parseBody(meetingUpdateSchema, req.body), req.requestId))));
  r.post('/sitzungen/:id/tagesordnung', asyncRoute(async (req, res) => res.json(await steering.refreshAgenda(requireActor(req), String(req.params.id), req.requestId))));
  r.post('/sitzungen/:id/punkte', asyncRoute(async (req, res) => res.status(201).json(await steering.addAgendaItem(requireActor(req), String(req.params.id), parseBody(agendaItemCreateSchema, req.body), req.requestId))));
  r.put(
    '/sitzungen/:id/punkte/:punktId',
    asyncRoute(async (req, res) => res.json(await steering.updateAgendaItem(requireActor(req), String(req.params.id), String(req.params.punktId), parseBody(agendaItemUpdateSchema, req.body), req.requestId))),
  );
  r.post(
    '/sitzungen/:id/punkte/:punktId/beschluss',
    asyncRoute(async (req, res) => res.status(201).json(await steering.decide(requireActor(req), String(req.params.id), String(req.params.punktId), parseBody(decisionSchema, req.body), req.requestId))),
  );

  list('/rueckmeldungen', 'rueckmeldungen', (req, p) => steering.listNotices(requireActor(req), p, req.requestId));
  r.post('/rueckmeldungen/:id/gelesen', asyncRoute(async (req, res) => res.json(await steering.markNoticeRead(requireActor(req), String(req.params.id), req.requestId))));
  return r;
}
