// POST /api/access — trade the access code for the HTTP-only cookie the UI (and EventSource) uses
import { z } from 'zod';
import { getEnv } from '@/lib/env';
import { ApiError, errorResponse } from '@/lib/http/api-error';
import { ACCESS_COOKIE, accessToken, checkOrigin, sameSecret } from '@/lib/http/access';
import { clientKey } from '@/lib/http/client-key';
import { memoryRateLimiter } from '@/lib/http/rate-limit';

export const dynamic = 'force-dynamic';

// Guessing codes is slow: 10 tries per minute per client.
const attempts = memoryRateLimiter({ perMinute: 10, concurrent: 0 });
const body = z.object({ code: z.string().max(500) });

export async function POST(request: Request): Promise<Response> {
  try {
    checkOrigin(request);
    const code = getEnv().ACCESS_CODE;
    if (!code) return new Response(null, { status: 204 });
    await attempts.begin(clientKey(request));
    void attempts.end(clientKey(request));
    const parsed = body.safeParse(await request.json().catch(() => null));
    if (!parsed.success) throw new ApiError(422, 'invalid_request', 'Send { "code": "…" }.');
    if (!sameSecret(parsed.data.code, code)) {
      throw new ApiError(401, 'unauthorized', 'That access code is not right.');
    }
    const secure =
      new URL(request.url).protocol === 'https:' ||
      request.headers.get('x-forwarded-proto') === 'https';
    const cookie = [
      `${ACCESS_COOKIE}=${accessToken(code)}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${60 * 60 * 24 * 30}`,
      ...(secure ? ['Secure'] : []),
    ].join('; ');
    return new Response(null, { status: 204, headers: { 'Set-Cookie': cookie } });
  } catch (error) {
    return errorResponse(error);
  }
}
