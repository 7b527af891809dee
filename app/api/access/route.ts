// POST /api/access — trade the access code for the HTTP-only cookie the UI (and EventSource) uses
import { z } from 'zod';
import { getEnv } from '@/lib/env';
import { apiError } from '@/lib/http/api-error';
import { apiRoute } from '@/lib/http/api-route';
import { ACCESS_COOKIE, accessToken, checkHost, checkOrigin, tryCode } from '@/lib/http/access';
import { fromTrustedProxy } from '@/lib/http/client-key';

export const dynamic = 'force-dynamic';

const body = z.object({ code: z.string().max(500) });

export const POST = apiRoute(
  'POST /api/access',
  async (request) => {
    checkHost(request);
    checkOrigin(request);
    const code = getEnv().ACCESS_CODE;
    if (!code) return new Response(null, { status: 204 });
    const parsed = body.safeParse(await request.json().catch(() => null));
    if (!parsed.success) throw apiError('invalid_request', 'Send { "code": "…" }.');
    // Guessing is slow: see lib/http/guess-limit.ts.
    if (!tryCode(request, parsed.data.code, code)) {
      throw apiError('unauthorized', 'That access code is not right.');
    }
    const secure =
      new URL(request.url).protocol === 'https:' ||
      (fromTrustedProxy(request) && request.headers.get('x-forwarded-proto') === 'https');
    const cookie = [
      `${ACCESS_COOKIE}=${accessToken(code)}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${60 * 60 * 24 * 30}`,
      ...(secure ? ['Secure'] : []),
    ].join('; ');
    return new Response(null, { status: 204, headers: { 'Set-Cookie': cookie } });
  },
  // The code is what this route checks: no guard in front of it.
  { guarded: false },
);
