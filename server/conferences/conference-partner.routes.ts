/**
 * Partner pages of kim-fallkonferenz, outside the session/CSRF-protected API and authorised by the
 * signed, expiring link: GET/POST /partner/conferences/:token (confirm or decline the invitation)
 * and GET/POST /partner/agreements/:token (report an agreement as done). Plain, accessible German
 * HTML without scripts; no data about the client.
 */
import type { Router } from 'express';
import type { ConferenceService } from './conference.service';
import { DomainError } from '../errors';
import type { Logger } from '../util/log';
import { available, linkPageRoutes, type PageOptions } from '../http/partner-links';
import { esc, page as framePage, partnerErrors, partnerRouter } from '../http/partner-page';

const SITE = 'KIM Fallkonferenz';
const page = (title: string, body: string) => framePage(title, body, SITE);

const PROBLEMS = {
  invalid: { status: 400, title: 'Link ungültig', text: 'Dieser Link ist ungültig oder unvollständig. Bitte verwenden Sie den vollständigen Link aus der E-Mail oder wenden Sie sich an das Kommunale Integrationsmanagement.' },
  expired: { status: 410, title: 'Link abgelaufen', text: 'Dieser Link ist abgelaufen. Bitte wenden Sie sich an das Kommunale Integrationsmanagement, das Sie eingeladen hat.' },
  gone: { status: 404, title: 'Nicht gefunden', text: 'Diese Fallkonferenz oder Vereinbarung gibt es nicht mehr. Bitte wenden Sie sich an das Kommunale Integrationsmanagement.' },
} as const;

type InvitationView = Extract<Awaited<ReturnType<ConferenceService['invitationView']>>, { ok: true }>;
type AgreementView = Extract<Awaited<ReturnType<ConferenceService['agreementView']>>, { ok: true }>;

function invitationHtml(v: InvitationView, opts: PageOptions = {}) {
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

function agreementHtml(v: AgreementView, opts: PageOptions = {}) {
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
  const service = available(deps.conferences, 'Fallkonferenzen sind derzeit nicht verfügbar.');
  linkPageRoutes(r, {
    path: '/conferences',
    site: SITE,
    problems: PROBLEMS,
    view: (token) => service().invitationView(token),
    html: invitationHtml,
    async answer(token, form) {
      const action = String(form.action ?? '');
      if (action !== 'confirm' && action !== 'decline') throw new DomainError(400, 'Bitte wählen Sie eine Antwort aus.');
      const out = await service().answerInvitation(token, action, typeof form.text === 'string' ? form.text : undefined);
      return out.ok ? { ok: true, action } : out;
    },
    done: DONE,
  });
  linkPageRoutes(r, {
    path: '/agreements',
    site: SITE,
    problems: PROBLEMS,
    view: (token) => service().agreementView(token),
    html: agreementHtml,
    async answer(token) {
      const out = await service().confirmAgreement(token);
      return out.ok ? { ok: true, action: 'done' } : out;
    },
    done: DONE,
  });
  r.use(partnerErrors(deps.log, SITE, 'conference partner page failed'));
  return r;
}
