// GET /api/chat/{id}/stream — follow a reply as Server-Sent Events, resuming after Last-Event-ID
import { errorResponse } from '@/lib/http/api-error';
import { guard } from '@/lib/http/access';
import {
  getHub,
  isReplyId,
  notFound,
  parseLastEventId,
  replyStreamResponse,
  SSE_HEADERS,
} from '@/lib/chat/service';
import type { Found } from '@/lib/streams/hub';
import { log } from '@/lib/log';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

/** The reply a request names and where it resumes; `ended` when the client has seen `close`. */
async function resolve(request: Request, { params }: Params) {
  guard(request);
  const { id } = await params;
  const found: Found | undefined = isReplyId(id) ? await getHub().find(id) : undefined;
  if (!found) throw notFound();
  const after = parseLastEventId(request);
  return { ...found, after, ended: found.reply.done && after >= found.reply.lastEventId };
}

// 204 tells EventSource to stop reconnecting for good.
const ended = () => new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });

export async function GET(request: Request, context: Params): Promise<Response> {
  try {
    const { reply, registry, after, ended: done } = await resolve(request, context);
    if (done) return ended();
    return replyStreamResponse(reply, after, request, { registry });
  } catch (error) {
    return errorResponse(error, (e) => log.error('GET /api/chat/{id}/stream failed', { error: e }));
  }
}

// HEAD — what GET would answer, without a body and without following. Left to Next, HEAD calls
// GET and never reads the body: the follower stayed attached, so the reply was never abandoned
// and its memory never freed.
export async function HEAD(request: Request, context: Params): Promise<Response> {
  try {
    const { ended: done } = await resolve(request, context);
    return done ? ended() : new Response(null, { status: 200, headers: SSE_HEADERS });
  } catch (error) {
    const res = errorResponse(error);
    return new Response(null, { status: res.status, headers: res.headers });
  }
}
