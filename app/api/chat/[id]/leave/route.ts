// POST /api/chat/{id}/leave — the page following a reply went away (sent with navigator.sendBeacon
// on pagehide). Unless a follower comes back within the grace period (a reload does), the reply
// ends: this is what ends abandoned replies on platforms that never report disconnects.
import { errorResponse } from '@/lib/http/api-error';
import { guard } from '@/lib/http/access';
import { getHub, isReplyId, notFound } from '@/lib/chat/service';

export const dynamic = 'force-dynamic';

export async function POST(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    guard(request);
    const { id } = await params;
    if (!isReplyId(id) || !(await getHub().leave(id))) throw notFound();
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error);
  }
}
