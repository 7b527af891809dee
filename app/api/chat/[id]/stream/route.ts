// GET /api/chat/{id}/stream — follow a reply as Server-Sent Events, resuming after Last-Event-ID
import { errorResponse } from '@/lib/http/api-error';
import { apiRoute } from '@/lib/http/api-route';
import { guard } from '@/lib/http/access';
import {
  isReplyId,
  notFound,
  parseLastEventId,
  readyHub,
  replyStreamResponse,
  SSE_HEADERS,
} from '@/lib/chat/service';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

/** The reply a request names and where it resumes; `ended` when the client has seen `close`. */
async function resolve(request: Request, { params }: Params) {
  const { id } = await params;
  const found = isReplyId(id) ? await (await readyHub()).find(id) : undefined;
  if (!found) throw notFound();
  const after = parseLastEventId(request);
  return { ...found, after, ended: found.reply.done && after >= found.reply.lastEventId };
}

// 204 tells EventSource to stop reconnecting for good.
const ended = () => new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });

export const GET = apiRoute<Params>('GET /api/chat/{id}/stream', async (request, context) => {
  const { reply, registry, after, ended: done } = await resolve(request, context);
  if (done) return ended();
  return replyStreamResponse(reply, after, request, { registry });
});

// HEAD — what GET would answer, without a body and without following. Left to Next, HEAD calls
// GET and never reads the body: the follower stayed attached, so the reply was never abandoned
// and its memory never freed.
export async function HEAD(request: Request, context: Params): Promise<Response> {
  try {
    guard(request);
    const { ended: done } = await resolve(request, context);
    return done ? ended() : new Response(null, { status: 200, headers: SSE_HEADERS });
  } catch (error) {
    const res = errorResponse(error);
    return new Response(null, { status: res.status, headers: res.headers });
  }
}
