/**
 * Browser security headers for every response (helmet plus a Permissions-Policy).
 *
 * Content-Security-Policy: scripts only from the server's own files – no inline script, no eval, no
 * inline event handlers, no plugins, no <base> tricks, forms post only to the server, and no page may
 * frame the app (clickjacking). The web app (react-admin/MUI), the modeler (bpmn-js) and form-js run
 * under it without a violation (test/e2e/csp.e2e.test.ts opens inbox, task form and modeler and
 * fails on any). Styles allow 'unsafe-inline': MUI's emotion, bpmn-js and form-js write <style>
 * elements and style attributes at run time, and the partner pages carry their CSS inline; style
 * injection cannot run code, the script rules above are what keeps injected markup harmless.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  frameSrc: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Features the app never uses stay off, also for anything injected. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()';

export function securityHeaders(opts: { https: boolean }): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        // Behind HTTPS every sub-resource is fetched over HTTPS; on plain HTTP (loopback, a test
        // installation) the directive would break loading, so it is set only there.
        directives: { ...CSP_DIRECTIVES, ...(opts.https ? { upgradeInsecureRequests: [] } : {}) },
      },
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
    (_req, res, next) => {
      res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
      next();
    },
  ];
}
