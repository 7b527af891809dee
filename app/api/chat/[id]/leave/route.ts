// POST /api/chat/{id}/leave — the page following a reply went away (sent with navigator.sendBeacon
// on pagehide). Unless a follower comes back within the grace period (a reload does), the reply
// ends: this is what ends abandoned replies on platforms that never report disconnects.
import { apiRoute } from '@/lib/http/api-route';
import { isReplyId, notFound, readyHub } from '@/lib/chat/service';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export const POST = apiRoute<Params>('POST /api/chat/{id}/leave', async (_request, { params }) => {
  const { id } = await params;
  if (!isReplyId(id) || !(await (await readyHub()).leave(id))) throw notFound();
  return new Response(null, { status: 204 });
});
