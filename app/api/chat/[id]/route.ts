// DELETE /api/chat/{id} — stop a reply now: aborts the upstream, followers get close "stopped"
import { errorResponse } from '@/lib/http/api-error';
import { guard } from '@/lib/http/access';
import { getHub, isReplyId, notFound } from '@/lib/chat/service';
import { log } from '@/lib/log';

export const dynamic = 'force-dynamic';

export async function DELETE(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    guard(request);
    const { id } = await params;
    if (!isReplyId(id) || !(await getHub().stop(id))) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error, (e) => log.error('DELETE /api/chat/{id} failed', { error: e }));
  }
}
