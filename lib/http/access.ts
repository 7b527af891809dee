import 'server-only';
/**
 * Who may use the API. With ACCESS_CODE set, every API route wants either
 * `Authorization: Bearer <code>` (API clients) or the HTTP-only cookie the UI gets once the person
 * has typed the code (EventSource sends cookies, never custom headers). The cookie holds an HMAC
 * of the code, not the code. Wrong codes are counted (lib/http/guess-limit.ts); a cookie is not
 * guessable and is not. Either way, requests for a host this deployment does not serve
 * (`ALLOWED_HOSTS`) are refused, and mutating requests from another origin too.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/env';
import { apiError } from '@/lib/http/api-error';
import { clientAddress, fromTrustedProxy } from '@/lib/http/client-key';
import { arrivedEncrypted } from '@/lib/http/connections';
import { guessLimiter } from '@/lib/http/guess-limit';
import { hostAllowed } from '@/lib/http/hosts';

export const ACCESS_COOKIE = 'streamchat_access';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares in constant time (hashing first makes the lengths equal). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function accessToken(code: string): string {
  return createHmac('sha256', code).update('streamchat-access-v1').digest('base64url');
}

/** A cookie's value; a malformed one (bad percent-encoding) is no value at all. */
function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function bearer(request: Request): string | undefined {
  const auth = request.headers.get('authorization');
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
}

const guessesKey = Symbol.for('streamchat.guesses');

/** Wrong codes: 10 a minute per address, then everyone slows to one try per 2 s past 30. */
export function guesses() {
  const holder = globalThis as { [guessesKey]?: ReturnType<typeof guessLimiter> };
  holder[guessesKey] ??= guessLimiter({ perAddress: 10, global: 30, slowMs: 2_000 });
  return holder[guessesKey];
}

/** Checks a code someone typed or sent; counts it when wrong. Throws 429 when over the limit. */
export function tryCode(request: Request, code: string, expected: string): boolean {
  const address = clientAddress(request);
  guesses().check(address);
  if (sameSecret(code, expected)) return true;
  guesses().failed(address);
  return false;
}

/**
 * Whether the request may use the API: true without an access code, or with the right bearer
 * code or cookie. A wrong bearer code counts as a guess (429 past the limit).
 */
export function hasAccess(request: Request): boolean {
  const code = getEnv().ACCESS_CODE;
  if (!code) return true;
  const cookie = cookieValue(request, ACCESS_COOKIE);
  if (cookie !== undefined && sameSecret(cookie, accessToken(code))) return true;
  const token = bearer(request);
  return token !== undefined && tryCode(request, token, code);
}

/** Whether the request's bearer token is METRICS_TOKEN (false when that is not set). */
export function hasMetricsToken(request: Request): boolean {
  const { METRICS_TOKEN } = getEnv();
  const token = bearer(request);
  return !!METRICS_TOKEN && token !== undefined && sameSecret(token, METRICS_TOKEN);
}

/** Whether a request may see operational details (health counts): the metrics token or access. */
export function canSeeDetails(request: Request): boolean {
  if (hasMetricsToken(request)) return true;
  if (!getEnv().ACCESS_CODE) return false;
  try {
    return hasAccess(request);
  } catch {
    return false;
  }
}

/** For cookie checks in server components (no Request there). */
export function cookieGrantsAccess(value: string | undefined): boolean {
  const code = getEnv().ACCESS_CODE;
  if (!code) return true;
  return value !== undefined && sameSecret(value, accessToken(code));
}

const first = (value: string | null): string | undefined =>
  value?.split(',')[0]?.trim() || undefined;

/** The Host the client asked for: a trusted proxy's X-Forwarded-Host, else Host. */
export function requestHost(request: Request): string | null {
  const forwarded = fromTrustedProxy(request)
    ? first(request.headers.get('x-forwarded-host'))
    : undefined;
  return forwarded ?? request.headers.get('host');
}

/** This server's own origin as the client sees it (scheme, host, port). */
function ownOrigin(request: Request): string | undefined {
  const host = requestHost(request);
  if (!host) return undefined;
  const forwardedProto = fromTrustedProxy(request)
    ? first(request.headers.get('x-forwarded-proto'))
    : undefined;
  const encrypted = arrivedEncrypted(request);
  const proto =
    forwardedProto ??
    (encrypted === undefined
      ? new URL(request.url).protocol.slice(0, -1)
      : encrypted
        ? 'https'
        : 'http');
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/** Refuses a Host this deployment does not serve (ALLOWED_HOSTS): closes DNS rebinding. */
export function checkHost(request: Request): void {
  if (!hostAllowed(requestHost(request), getEnv().ALLOWED_HOSTS)) {
    throw apiError('unknown_host');
  }
}

/**
 * A browser on another site can send simple requests with our cookie; only pages of this very
 * origin (scheme, host and port) may create or stop replies. Requests without an Origin (curl,
 * servers) pass.
 */
export function checkOrigin(request: Request): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.get('origin');
  if (!origin) return;
  let theirs: string | undefined;
  try {
    theirs = new URL(origin).origin;
  } catch {
    theirs = undefined;
  }
  if (theirs === undefined || theirs === 'null' || theirs !== ownOrigin(request)) {
    throw apiError('cross_origin');
  }
}

/** The guard every API route calls first. */
export function guard(request: Request): void {
  checkHost(request);
  checkOrigin(request);
  if (!hasAccess(request)) throw apiError('unauthorized');
}
