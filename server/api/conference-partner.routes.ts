/**
 * Partner pages of kim-fallkonferenz, outside the session/CSRF-protected API and authorised by the
 * signed, expiring link: GET/POST /partner/conferences/:token (confirm or decline the invitation)
 * and GET/POST /partner/agreements/:token (report an agreement as done). Plain, accessible German
 * HTML without scripts; no data about the client.
 */
import type { Request, Response, Router } from 'express';
import type { ConferenceService } from '../domain/conference.service';
import { DomainError } from '../domain/errors';
import type { Logger } from '../util/log';
import { asyncRoute } from './http';
import { esc, page as framePage, partnerErrors, partnerRouter, sendProblem } from './partner-page';

const SITE = 'KIM Fallkonferenz';
const page = (title: string, body: string) => framePage(title, body, SITE);

const PROBLEMS = {
  invalid: { status: 400, title: 'Link ungültig', text: 'Dieser Link ist ungültig oder unvollständig. Bitte verwenden Sie den vollständigen Link aus der E-Mail oder wenden Sie sich an das Kommunale Integrationsmanagement.' },
  expired: { status: 410, title: 'Link abgelaufen', text: 'Dieser Link ist abgelaufen. Bitte wenden Sie sich an das Kommunale Integrationsmanagement, das Sie eingeladen hat.' },
  gone: { status: 404, title: 'Nicht gefunden', text: 'Diese Fallkonferenz oder Vereinbarung gibt es nicht mehr. Bitte wenden Sie sich an das Kommunale Integrationsmanagement.' },
} as const;

const problem = (res: Response, reason: keyof typeof PROBLEMS) => sendProblem(res, PROBLEMS[reason], SITE);

type InvitationView = Extract<Awaited<ReturnType<ConferenceService['invitationView']>>, { ok: true }>;
type AgreementView = Extract<Awaited<ReturnType<ConferenceService['agreementView']>>, { ok: true }>;

function invitationHtml(v: InvitationView, opts: { notice?: string; error?: string } = {}) {
  const parts: string[] = [];
  if (opts.notice) parts.push(`<p class="notice" role="status">${esc(opts.notice)}</p>`);
  if (opts.error) parts.push(`<p class="notice error" role="alert">${esc(opts.error)}</p>`);
  parts.push(`<p>Das Kommunale Integrationsmanagement (KIM) ${esc(v.kommune)} lädt <strong>${esc(v.agency)}</strong> zu einer rechtskreisübergreifenden Fallkonferenz ein.</p>`);
  const dl = [['Konferenznummer', v.number], ['Termin', v.when], ...v.place.map((p) => { const i = p.indexOf(': '); return [p.slice(0, i), p.slice(i + 2)]; }), ['Eingeladen durch', `${v.kommune}, ${v.site}`]];
  parts.push(`<dl>${dl.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>`);
  parts.push(
    v.withData
      ? '<p>Die Klientin / der Klient hat in die Weitergabe ihrer / seiner Daten an Ihre Stelle für diese Fallkonferenz eingewilligt.</p>'
      : '<p>Für Ihre Stelle liegt keine Einwilligung zur Datenweitergabe vor: Sie nehmen ohne Daten der Klientin / des Klienten teil und erhalten das Protokoll nicht.</p>',
  );
  if (!v.response && !v.closed) {
    parts.push(`<h2>Ihre Antwort</h2>
<form method="post">
<fieldset><legend>Nehmen Sie an der Fallkonferenz teil?</legend>
<label><input type="radio" name="action" value="confirm" required> Ja, wir nehmen teil</label>
<label><input type="radio" name="action" value="decline"> Nein, wir sagen ab</label>
</fieldset>
<label for="text">Hinweis zur Absage (freiwillig, ohne Angaben zu Gesundheit oder anderen sensiblen Daten)</label>
<textarea id="text" name="text" rows="3" maxlength="1000"></textarea>
<button type="submit">Antwort senden</button>
</form>`);
  } else if (!opts.notice) {
    parts.push(`<p class="notice" role="status">${v.closed ? 'Diese Fallkonferenz hat bereits stattgefunden.' : v.response === 'zugesagt' ? 'Sie haben zugesagt.' : 'Sie haben abgesagt.'} Vielen Dank.</p>`);
  }
  return page(`Einladung zur Fallkonferenz ${v.number}`, parts.join('\n'));
}

function agreementHtml(v: AgreementView, opts: { notice?: string; error?: string } = {}) {
  const parts: string[] = [];
  if (opts.notice) parts.push(`<p class="notice" role="status">${esc(opts.notice)}</p>`);
  if (opts.error) parts.push(`<p class="notice error" role="alert">${esc(opts.error)}</p>`);
  parts.push(`<p>In der Fallkonferenz ${esc(v.number)} des KIM ${esc(v.kommune)} hat Ihre Stelle folgende Maßnahme übernommen:</p>`);
  parts.push(`<dl><dt>Maßnahme</dt><dd>${esc(v.action)}</dd><dt>Zu erledigen bis</dt><dd>${esc(v.due)}</dd></dl>`);
  if (!v.done) {
    parts.push(`<form method="post"><input type="hidden" name="action" value="done">
<label><input type="checkbox" name="confirm" value="ja" required> Die Maßnahme ist erledigt</label>
<button type="submit">Erledigung melden</button></form>`);
  } else if (!opts.notice) parts.push('<p class="notice" role="status">Die Erledigung wurde bereits gemeldet. Vielen Dank.</p>');
  return page(`Vereinbarung aus der Fallkonferenz ${v.number}`, parts.join('\n'));
}

const DONE: Record<string, string> = {
  confirm: 'Vielen Dank: Ihre Zusage wurde übermittelt.',
  decline: 'Vielen Dank: Ihre Absage wurde übermittelt.',
  done: 'Vielen Dank: Die Erledigung wurde übermittelt.',
};

export function conferencePartnerRoutes(deps: { conferences?: ConferenceService; log: Logger }): Router {
  const r = partnerRouter();
  const service = () => {
    if (!deps.conferences) throw new DomainError(503, 'Fallkonferenzen sind derzeit nicht verfügbar.', 'unavailable');
    return deps.conferences;
  };
  const notice = (req: Request) => (typeof req.query.erledigt === 'string' ? DONE[req.query.erledigt] : undefined);

  r.get(
    '/conferences/:token',
    asyncRoute(async (req, res) => {
      const v = await service().invitationView(String(req.params.token));
      if (!v.ok) return problem(res, v.reason);
      res.type('html').send(invitationHtml(v, { notice: notice(req) }));
    }),
  );
  r.post(
    '/conferences/:token',
    asyncRoute(async (req, res) => {
      const token = String(req.params.token);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const action = String(body.action ?? '');
      const svc = service();
      try {
        if (action !== 'confirm' && action !== 'decline') throw new DomainError(400, 'Bitte wählen Sie eine Antwort aus.');
        const out = await svc.answerInvitation(token, action, typeof body.text === 'string' ? body.text : undefined);
        if (!out.ok) return problem(res, out.reason);
        res.redirect(303, `${req.baseUrl}/conferences/${encodeURIComponent(token)}?erledigt=${action}`);
      } catch (e) {
        if (!(e instanceof DomainError) || e.status >= 500) throw e;
        const v = await svc.invitationView(token);
        if (!v.ok) return problem(res, v.reason);
        res.status(e.status).type('html').send(invitationHtml(v, { error: e.message }));
      }
    }),
  );
  r.get(
    '/agreements/:token',
    asyncRoute(async (req, res) => {
      const v = await service().agreementView(String(req.params.token));
      if (!v.ok) return problem(res, v.reason);
      res.type('html').send(agreementHtml(v, { notice: notice(req) }));
    }),
  );
  r.post(
    '/agreements/:token',
    asyncRoute(async (req, res) => {
      const token = String(req.params.token);
      const svc = service();
      try {
        const out = await svc.confirmAgreement(token);
        if (!out.ok) return problem(res, out.reason);
        res.redirect(303, `${req.baseUrl}/agreements/${encodeURIComponent(token)}?erledigt=done`);
      } catch (e) {
        if (!(e instanceof DomainError) || e.status >= 500) throw e;
        const v = await svc.agreementView(token);
        if (!v.ok) return problem(res, v.reason);
        res.status(e.status).type('html').send(agreementHtml(v, { error: e.message }));
      }
    }),
  );
  r.use(partnerErrors(deps.log, SITE, 'conference partner page failed'));
  return r;
}
