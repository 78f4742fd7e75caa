/**
 * The tokenised links partners open without an account – a referral's answer, a conference
 * invitation, an agreement's "done": each is a German page read with GET and answered with POST,
 * authorised by its signed, expiring token. What they share lives here: the page/answer route pair
 * (an unusable link gets its problem page, a bad answer the page again with the message, a good one
 * a redirect to the page with a thank-you) and the rate limits per address and per token.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { DomainError } from '../errors';
import { asyncRoute } from './http';
import { type Problem, sendProblem } from './partner-page';
import { SlidingWindow } from './rate-limit';

/** Why a link cannot be used (the service's answer). */
export type LinkProblem = 'invalid' | 'expired' | 'gone';
export type LinkResult<V> = V | { ok: false; reason: LinkProblem };

export interface PageOptions {
  notice?: string;
  error?: string;
  /** The text the partner had typed (shown again next to an error). */
  text?: string;
}

export interface LinkPage<V extends { ok: true }> {
  /** Path under /partner, e.g. "/referrals": GET and POST <path>/:token. */
  path: string;
  /** Names the area in the window title (e.g. "KIM Vermittlung"). */
  site: string;
  problems: Record<LinkProblem, Problem>;
  view(token: string): Promise<LinkResult<V>>;
  html(v: V, opts: PageOptions): string;
  /**
   * Takes the partner's answer (the posted form). Returns the action for the thank-you notice;
   * throws a DomainError below 500 for the partner's input (shown on the page again).
   */
  answer(token: string, form: Record<string, unknown>): Promise<{ ok: true; action: string } | { ok: false; reason: LinkProblem }>;
  /** The thank-you notice per action (after the redirect, ?erledigt=<action>). */
  done: Record<string, string>;
}

/** The service behind a partner page, or a 503 with `unavailable` when this process has none. */
export const available =
  <T>(service: T | undefined, unavailable: string) =>
  (): T => {
    if (!service) throw new DomainError(503, unavailable, 'unavailable');
    return service;
  };

/** GET and POST <path>/:token for one kind of partner page. */
export function linkPageRoutes<V extends { ok: true }>(r: Router, p: LinkPage<V>): void {
  const problem = (res: Response, reason: LinkProblem) => sendProblem(res, p.problems[reason], p.site);
  r.get(
    `${p.path}/:token`,
    asyncRoute(async (req, res) => {
      const v = await p.view(String(req.params.token));
      if (!v.ok) return problem(res, v.reason);
      const notice = typeof req.query.erledigt === 'string' ? p.done[req.query.erledigt] : undefined;
      res.type('html').send(p.html(v, { notice }));
    }),
  );
  r.post(
    `${p.path}/:token`,
    asyncRoute(async (req, res) => {
      const token = String(req.params.token);
      const form = (req.body ?? {}) as Record<string, unknown>;
      try {
        const out = await p.answer(token, form);
        if (!out.ok) return problem(res, out.reason);
        res.redirect(303, `${req.baseUrl}${p.path}/${encodeURIComponent(token)}?erledigt=${encodeURIComponent(out.action)}`);
      } catch (e) {
        if (!(e instanceof DomainError) || e.status >= 500) throw e;
        const v = await p.view(token);
        if (!v.ok) return problem(res, v.reason);
        res.status(e.status).type('html').send(p.html(v, { error: e.message, text: typeof form.text === 'string' ? form.text : undefined }));
      }
    }),
  );
}

export interface PartnerLimits {
  /** Requests per minute per address (all partner links together). */
  perAddress: number;
  /** Requests per minute per link (whoever opens it). */
  perLink: number;
}

const TOO_MANY_ADDRESS: Problem = {
  status: 429,
  title: 'Zu viele Aufrufe',
  text: 'Von Ihrer Adresse kamen in kurzer Zeit zu viele Aufrufe. Bitte warten Sie eine Minute und öffnen Sie den Link dann erneut.',
};
const TOO_MANY_LINK: Problem = {
  status: 429,
  title: 'Zu viele Aufrufe',
  text: 'Dieser Link wurde in kurzer Zeit zu oft aufgerufen. Bitte warten Sie eine Minute und öffnen Sie ihn dann erneut.',
};

/**
 * Counts every request to the partner links per address and per link (the token only as a hash:
 * the link itself is the authorisation) and answers 429 with a German page and Retry-After beyond
 * the limits (KIM_PARTNER_LIMIT_PER_ADDRESS / _PER_LINK per minute). A partner opens the page,
 * answers and sees the thank-you – three requests; the limits leave room for reloads and a whole
 * office behind one address, and stop guessing links or flooding one. Mounted once before all
 * partner routers, so the address limit counts them together.
 */
export function partnerLimiter(limits: PartnerLimits) {
  const byAddress = new SlidingWindow({ max: limits.perAddress, windowMs: 60_000 });
  const byLink = new SlidingWindow({ max: limits.perLink, windowMs: 60_000 });
  return (req: Request, res: Response, next: NextFunction) => {
    const token = /^\/[^/]+\/([^/?]+)/.exec(req.path)?.[1];
    const address = byAddress.hit(req.ip ?? 'unbekannt');
    const link = token ? byLink.hit(crypto.createHash('sha256').update(token).digest('base64url')) : 0;
    const wait = Math.max(address, link);
    if (!wait) return next();
    res.setHeader('Retry-After', String(wait));
    res.setHeader('Cache-Control', 'no-store');
    sendProblem(res, address ? TOO_MANY_ADDRESS : TOO_MANY_LINK, 'KIM');
  };
}
