/**
 * GET /api/outbox (list, react-admin dialect), GET /api/outbox/:id (with the text; audited) for
 * administrators; GET /api/cases/:id/mail-status (mails of a case still waiting to go out) for
 * whoever reads the case's referrals. Routes parse and delegate; the rules live in MailService.
 */
import { Router } from 'express';
import { badRequest } from '../errors';
import { asyncRoute, parseListParams, sendList } from '../http/http';
import { requireActor } from '../http/session';
import type { MailService } from './mail.service';
import type { OutboxListParams } from './outbox.repository';

const SORTS: OutboxListParams['sort'][] = ['createdAt', 'recipient', 'subject', 'status'];
const STATUSES = ['pending', 'sent', 'failed'];

export function outboxRoutes(mail: MailService): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const p = parseListParams(req.query);
      const sort = (p.sortField ?? 'createdAt') as OutboxListParams['sort'];
      if (!SORTS.includes(sort)) throw badRequest('Nach diesem Feld kann der Postausgang nicht sortiert werden.', { sort: 'Erlaubt: Zeit, Empfänger, Betreff, Status' });
      const status = p.filter.status === undefined ? undefined : String(p.filter.status);
      if (status !== undefined && !STATUSES.includes(status)) throw badRequest('Unbekannter Versandstatus.', { status: 'Erlaubt: ausstehend, versendet, aufgegeben' });
      const { rows, total } = await mail.list(a, { offset: p.offset, limit: p.limit, sort, order: p.sortSpecified ? p.sortOrder : 'desc', status });
      sendList(res, 'outbox', rows, p.offset, total);
    }),
  );
  r.get(
    '/:id',
    asyncRoute(async (req, res) => {
      res.json(await mail.get(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  return r;
}

export function caseMailStatusRoutes(mail: MailService): Router {
  const r = Router();
  r.get(
    '/:id/mail-status',
    asyncRoute(async (req, res) => {
      res.json(await mail.undeliveredOfCase(requireActor(req), String(req.params.id)));
    }),
  );
  return r;
}
