// GET /api/chat/{id}/stream — follow a reply as Server-Sent Events, resuming after Last-Event-ID
import { errorResponse } from '@/lib/http/api-error';
import { guard } from '@/lib/http/access';
import {
  getHub,
  isReplyId,
  notFound,
  parseLastEventId,
  replyStreamResponse,
} from '@/lib/chat/service';
import { log } from '@/lib/log';

export const dynamic = 'force-dynamic';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    guard(request);
    const { id } = await params;
    const found = isReplyId(id) ? await getHub().find(id) : undefined;
    if (!found) throw notFound();
    const { reply, registry } = found;
    const after = parseLastEventId(request);
    // The client has seen `close`: 204 tells EventSource to stop reconnecting for good.
    if (reply.done && after >= reply.lastEventId) {
      return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
    }
    return replyStreamResponse(reply, after, request.signal, { registry });
  } catch (error) {
    return errorResponse(error, (e) => log.error('GET /api/chat/{id}/stream failed', { error: e }));
  }
}
