/**
 * What every partner page shares (referral answers, conference invitations, agreements): plain,
 * accessible German HTML without scripts, the page frame, the problem page, a router that is never
 * cached or indexed and reads form posts, and the error handler that answers with a German page.
 */
import express, { Request, Response, Router } from 'express';
import { DomainError } from '../errors';
import { errorKind, type Logger } from '../util/log';

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a;background:#f5f5f5}
main{max-width:42rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}dt{font-weight:600}dd{margin:0 0 .5rem}
fieldset{border:1px solid #767676;border-radius:6px;margin:1rem 0;padding:1rem}legend{font-weight:600;padding:0 .25rem}
label{display:block;margin:.25rem 0}textarea{width:100%;box-sizing:border-box;font:inherit}
button{font:inherit;padding:.5rem 1rem;margin-top:.5rem;border:2px solid #00457d;background:#00457d;color:#fff;border-radius:4px;cursor:pointer}
button:focus,textarea:focus,input:focus{outline:3px solid #ffbf47;outline-offset:2px}
.notice{padding:.75rem 1rem;border-left:4px solid #00457d;background:#eef4fa}.error{border-color:#b00020;background:#fdecee}`;

/** A whole page; `site` names the area in the window title (e.g. "KIM Vermittlung"). */
export function page(title: string, body: string, site: string): string {
  return `<!doctype html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)} – ${esc(site)}</title><style>${STYLE}</style></head>
<body><main id="inhalt"><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

export interface Problem {
  status: number;
  title: string;
  text: string;
}

export function sendProblem(res: Response, p: Problem, site: string) {
  res.status(p.status).type('html').send(page(p.title, `<p class="notice error" role="alert">${esc(p.text)}</p>`, site));
}

/** A router for partner pages: no caching, no indexing, no referrer; small form posts only. */
export function partnerRouter(): Router {
  const r = Router();
  r.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  r.use(express.urlencoded({ extended: false, limit: '16kb' }));
  return r;
}

/** Errors of a partner router are answered as a German page, never as JSON or a stack trace. */
export function partnerErrors(log: Logger, site: string, what: string) {
  return (err: unknown, req: Request, res: Response, _next: express.NextFunction) => {
    void _next;
    log.error({ requestId: req.requestId, path: '/partner', errorKind: errorKind(err) }, what);
    const status = err instanceof DomainError ? err.status : 500;
    res
      .status(status)
      .type('html')
      .send(page('Fehler', `<p class="notice error" role="alert">${esc(err instanceof DomainError ? err.message : 'Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.')}</p>`, site));
  };
}
