import 'server-only';
/**
 * Optional access control. With ACCESS_CODE set, every API route wants either
 * `Authorization: Bearer <code>` (API clients) or the HTTP-only cookie the UI gets once the person
 * has typed the code (EventSource sends cookies, never custom headers). The cookie holds an HMAC
 * of the code, not the code. Mutating requests from another origin are refused either way.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/env';
import { ApiError } from '@/lib/http/api-error';

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

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function hasAccess(request: Request): boolean {
  const code = getEnv().ACCESS_CODE;
  if (!code) return true;
  const auth = request.headers.get('authorization');
  if (auth?.startsWith('Bearer ') && sameSecret(auth.slice(7).trim(), code)) return true;
  const cookie = cookieValue(request, ACCESS_COOKIE);
  return cookie !== undefined && sameSecret(cookie, accessToken(code));
}

/** For cookie checks in server components (no Request there). */
export function cookieGrantsAccess(value: string | undefined): boolean {
  const code = getEnv().ACCESS_CODE;
  if (!code) return true;
  return value !== undefined && sameSecret(value, accessToken(code));
}

/**
 * A browser on another site can send simple requests with our cookie; only same-origin pages
 * may create or stop replies. Requests without an Origin (curl, servers) pass.
 */
export function checkOrigin(request: Request): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const origin = request.headers.get('origin');
  if (!origin) return;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (!host || originHost !== host) {
    throw new ApiError(403, 'cross_origin', 'Requests from other sites are not allowed.');
  }
}

/** The guard every API route calls first. */
export function guard(request: Request): void {
  checkOrigin(request);
  if (!hasAccess(request)) {
    throw new ApiError(
      401,
      'unauthorized',
      'An access code is required. Send Authorization: Bearer <code>.',
      {
        'WWW-Authenticate': 'Bearer',
      },
    );
  }
}
