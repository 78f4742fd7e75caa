/**
 * The partner page of a referral: GET/POST /partner/referrals/:token. No account and no session –
 * the signed, expiring token is the authorisation (see server/referrals/referral-link.ts). Plain,
 * accessible German HTML without scripts; shows only what the consent covers.
 */
import type { Router } from 'express';
import { DomainError } from '../errors';
import type { PartnerAction, PartnerView, ReferralService } from './referral.service';
import type { Logger } from '../util/log';
import { available, linkPageRoutes, type PageOptions } from '../http/partner-links';
import { esc, page as framePage, partnerErrors, partnerRouter } from '../http/partner-page';

const SITE = 'KIM Vermittlung';

const PROBLEM_PAGES = {
  invalid: { status: 400, title: 'Link ungültig', text: 'Dieser Link ist ungültig oder unvollständig. Bitte verwenden Sie den vollständigen Link aus der E-Mail oder wenden Sie sich an das Kommunale Integrationsmanagement.' },
  expired: { status: 410, title: 'Link abgelaufen', text: 'Dieser Link ist abgelaufen. Bitte wenden Sie sich an das Kommunale Integrationsmanagement, das Ihnen die Vermittlung geschickt hat.' },
  gone: { status: 404, title: 'Vermittlung nicht gefunden', text: 'Diese Vermittlung gibt es nicht mehr. Bitte wenden Sie sich an das Kommunale Integrationsmanagement.' },
} as const;

const ACTIONS: PartnerAction[] = ['accept', 'decline', 'outcome'];

const DONE: Record<string, string> = {
  accept: 'Vielen Dank: Sie haben die Vermittlung angenommen. Bitte melden Sie später über diesen Link, wie sie ausgegangen ist.',
  decline: 'Vielen Dank: Ihre Ablehnung und der Grund wurden übermittelt.',
  outcome: 'Vielen Dank: Ihre Rückmeldung zum Ergebnis wurde übermittelt.',
};

function viewHtml(v: Extract<PartnerView, { ok: true }>, opts: PageOptions = {}): string {
  const parts: string[] = [];
  if (opts.notice) parts.push(`<p class="notice" role="status">${esc(opts.notice)}</p>`);
  if (opts.error) parts.push(`<p class="notice error" role="alert" id="fehler">${esc(opts.error)}</p>`);
  parts.push(`<p>Das Kommunale Integrationsmanagement (KIM) ${esc(v.kommune)} hat eine Person an Ihr Angebot <strong>${esc(v.organisation)}</strong> vermittelt.</p>`);
  const dl = [
    ['Vermittlungsnummer', v.number],
    ['Lebensbereich', v.lifeArea],
    ...(v.purpose ? [['Anliegen', v.purpose]] : []),
    ['Vermittelt durch', `${v.kommune}, ${v.site}`],
  ];
  parts.push(`<dl>${dl.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>`);
  if (v.withData) {
    parts.push(`<h2>Angaben zur Person (laut Einwilligung)</h2><dl>${v.person.map((p) => `<dt>${esc(p.label)}</dt><dd>${esc(p.value)}</dd>`).join('')}</dl>`);
  } else {
    parts.push(`<p>Für diese Vermittlung liegt keine Einwilligung zur Weitergabe von Daten vor. Die Person meldet sich mit der Vermittlungsnummer bei Ihnen.</p>`);
  }
  const errAttr = opts.error ? ' aria-describedby="fehler" aria-invalid="true"' : '';
  if (v.canAnswer) {
    parts.push(`<h2>Ihre Antwort</h2>
<form method="post">
<fieldset><legend>Nehmen Sie die Vermittlung an?</legend>
<label><input type="radio" name="action" value="accept" required> Ja, wir nehmen die Vermittlung an</label>
<label><input type="radio" name="action" value="decline"> Nein, wir lehnen ab (bitte Grund angeben)</label>
</fieldset>
<label for="text">Grund der Ablehnung (nur bei Ablehnung, ohne Angaben zu Gesundheit oder anderen sensiblen Daten)</label>
<textarea id="text" name="text" rows="4" maxlength="2000"${errAttr}>${esc(opts.text ?? '')}</textarea>
<button type="submit">Antwort senden</button>
</form>`);
  } else if (v.canReportOutcome) {
    parts.push(`<h2>Rückmeldung zum Ergebnis</h2>
<form method="post"><input type="hidden" name="action" value="outcome">
<label for="text">Wie ist die Vermittlung ausgegangen? (z. B. Kurs begonnen, Termin wahrgenommen)</label>
<textarea id="text" name="text" rows="4" maxlength="2000" required${errAttr}>${esc(opts.text ?? '')}</textarea>
<button type="submit">Ergebnis senden</button>
</form>`);
  } else if (!opts.notice) {
    parts.push(
      `<p class="notice" role="status">${v.closed ? 'Diese Vermittlung ist abgeschlossen.' : v.answered === 'declined' ? 'Sie haben diese Vermittlung abgelehnt.' : v.outcomeReported ? 'Das Ergebnis wurde bereits gemeldet.' : 'Diese Vermittlung wurde bereits beantwortet.'} Vielen Dank.</p>`,
    );
  }
  return page(`Vermittlung ${v.number}`, parts.join('\n'));
}

const page = (title: string, body: string) => framePage(title, body, SITE);

export function partnerRoutes(deps: { referrals?: ReferralService; log: Logger }): Router {
  const r = partnerRouter();
  const service = available(deps.referrals, 'Vermittlungen sind derzeit nicht verfügbar.');
  linkPageRoutes(r, {
    path: '/referrals',
    site: SITE,
    problems: PROBLEM_PAGES,
    view: (token) => service().partnerView(token),
    html: viewHtml,
    async answer(token, form) {
      const action = String(form.action ?? '');
      if (!ACTIONS.includes(action as PartnerAction)) throw new DomainError(400, 'Bitte wählen Sie eine Antwort aus.');
      const out = await service().partnerAnswer(token, action as PartnerAction, typeof form.text === 'string' ? form.text : undefined);
      return out.ok ? { ok: true, action } : out;
    },
    done: DONE,
  });
  r.use(partnerErrors(deps.log, SITE, 'partner page failed'));
  return r;
}
