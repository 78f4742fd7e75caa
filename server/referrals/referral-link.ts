/**
 * Signed, expiring partner links: `<payload>.<signature>`, both base64url; the payload names the
 * referral and the expiry (seconds since epoch), the signature is HMAC-SHA256 with KIM_LINK_SECRET.
 * The token carries no personal data.
 */
import crypto from 'node:crypto';

export type LinkCheck = { ok: true; referralId: string; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: string, payload: string) => crypto.createHmac('sha256', secret).update(`kim-referral-link.v1.${payload}`).digest();

export function signReferralLink(secret: string, referralId: string, expiresAt: Date): string {
  const payload = b64(JSON.stringify({ r: referralId, e: Math.floor(expiresAt.getTime() / 1000) }));
  return `${payload}.${b64(mac(secret, payload))}`;
}

export function verifyReferralLink(secret: string, token: string, now = new Date()): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{10,400}$/.test(parts[0]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1])) return { ok: false, reason: 'invalid' };
  const expected = mac(secret, parts[0]);
  const given = Buffer.from(parts[1], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let body: { r?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (typeof body.r !== 'string' || typeof body.e !== 'number') return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(body.e * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, referralId: body.r, expiresAt };
}
