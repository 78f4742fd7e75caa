/**
 * The partner page of a referral: GET/POST /partner/referrals/:token. No account and no session –
 * the signed, expiring token is the authorisation (see server/domain/referral-link.ts). Plain,
 * accessible German HTML without scripts; shows only what the consent covers.
 */
import express, { Request, Response, Router } from 'express';
import { DomainError } from '../domain/errors';
import type { PartnerAction, PartnerView, ReferralService } from '../domain/referral.service';
import type { Logger } from '../util/log';
import { asyncRoute } from './http';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a;background:#f5f5f5}
main{max-width:42rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}dt{font-weight:600}dd{margin:0 0 .5rem}
fieldset{border:1px solid #767676;border-radius:6px;margin:1rem 0;padding:1rem}legend{font-weight:600;padding:0 .25rem}
label{display:block;margin:.25rem 0}textarea{width:100%;box-sizing:border-box;font:inherit}
button{font:inherit;padding:.5rem 1rem;margin-top:.5rem;border:2px solid #00457d;background:#00457d;color:#fff;border-radius:4px;cursor:pointer}
button:focus,textarea:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}
.notice{padding:.75rem 1rem;border-left:4px solid #00457d;background:#eef4fa}.error{border-color:#b00020;background:#fdecee}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)} – KIM Vermittlung</title><style>${STYLE}</style></head>
<body><main id="inhalt"><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

const PROBLEM_PAGES = {
  invalid: { status: 400, title: 'Link ungültig', text: 'Dieser Link ist ungültig oder unvollständig. Bitte verwenden Sie den vollständigen Link aus der E-Mail oder wenden Sie sich an das Kommunale Integrationsmanagement.' },
  expired: { status: 410, title: 'Link abgelaufen', text: 'Dieser Link ist abgelaufen. Bitte wenden Sie sich an das Kommunale Integrationsmanagement, das Ihnen die Vermittlung geschickt hat.' },
  gone: { status: 404, title: 'Vermittlung nicht gefunden', text: 'Diese Vermittlung gibt es nicht mehr. Bitte wenden Sie sich an das Kommunale Integrationsmanagement.' },
} as const;

const DONE: Record<string, string> = {
  accept: 'Vielen Dank: Sie haben die Vermittlung angenommen. Bitte melden Sie später über diesen Link, wie sie ausgegangen ist.',
  decline: 'Vielen Dank: Ihre Ablehnung und der Grund wurden übermittelt.',
  outcome: 'Vielen Dank: Ihre Rückmeldung zum Ergebnis wurde übermittelt.',
};

function viewHtml(v: Extract<PartnerView, { ok: true }>, opts: { notice?: string; error?: string; text?: string } = {}): string {
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

function sendProblem(res: Response, reason: keyof typeof PROBLEM_PAGES) {
  const p = PROBLEM_PAGES[reason];
  res.status(p.status).type('html').send(page(p.title, `<p class="notice error" role="alert">${esc(p.text)}</p>`));
}

export function partnerRoutes(deps: { referrals?: ReferralService; log: Logger }): Router {
  const r = Router();
  r.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  r.use(express.urlencoded({ extended: false, limit: '16kb' }));

  const service = () => {
    if (!deps.referrals) throw new DomainError(503, 'Vermittlungen sind derzeit nicht verfügbar.', 'unavailable');
    return deps.referrals;
  };

  r.get(
    '/referrals/:token',
    asyncRoute(async (req: Request, res: Response) => {
      const v = await service().partnerView(String(req.params.token));
      if (!v.ok) return sendProblem(res, v.reason);
      const done = typeof req.query.erledigt === 'string' ? DONE[req.query.erledigt] : undefined;
      res.type('html').send(viewHtml(v, { notice: done }));
    }),
  );

  r.post(
    '/referrals/:token',
    asyncRoute(async (req: Request, res: Response) => {
      const token = String(req.params.token);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const action = String(body.action ?? '');
      const text = typeof body.text === 'string' ? body.text : undefined;
      const svc = service();
      if (!['accept', 'decline', 'outcome'].includes(action)) {
        const v = await svc.partnerView(token);
        if (!v.ok) return sendProblem(res, v.reason);
        return res.status(400).type('html').send(viewHtml(v, { error: 'Bitte wählen Sie eine Antwort aus.', text }));
      }
      try {
        const out = await svc.partnerAnswer(token, action as PartnerAction, text);
        if (!out.ok) return sendProblem(res, out.reason);
        res.redirect(303, `${req.baseUrl}/referrals/${encodeURIComponent(token)}?erledigt=${action}`);
      } catch (e) {
        if (!(e instanceof DomainError) || e.status >= 500) throw e;
        const v = await svc.partnerView(token);
        if (!v.ok) return sendProblem(res, v.reason);
        res.status(e.status).type('html').send(viewHtml(v, { error: e.message, text }));
      }
    }),
  );

  // Errors of this router are answered as a German page, never as JSON or a stack trace.
  r.use((err: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    void _next;
    deps.log.error({ requestId: req.requestId, path: '/partner', err: { message: (err as Error)?.message } }, 'partner page failed');
    const status = err instanceof DomainError ? err.status : 500;
    res
      .status(status)
      .type('html')
      .send(page('Fehler', `<p class="notice error" role="alert">${esc(err instanceof DomainError ? err.message : 'Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.')}</p>`));
  });
  return r;
}
