// POST /api/chat — start a reply (two-step: 201 + streamUrl; one-request: Accept: text/event-stream)
import { getEnv } from '@/lib/env';
import { apiRoute } from '@/lib/http/api-route';
import { clientKey } from '@/lib/http/client-key';
import { parseChatRequest } from '@/lib/chat/request';
import { getHub, replyStreamResponse, startReply } from '@/lib/chat/service';
import { streamUrlFor } from '@/lib/chat/protocol';

export const dynamic = 'force-dynamic';

/** How long a new reply may take to reach Redis before its 201 goes out anyway. */
const SHARE_WAIT_MS = 2_000;

export const POST = apiRoute('POST /api/chat', async (request) => {
  const env = getEnv();
  const body = await parseChatRequest(request, {
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxMessages: env.MAX_MESSAGES,
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    maxTotalChars: env.MAX_TOTAL_CHARS,
    maxImageBodyBytes: env.MAX_IMAGE_BODY_BYTES,
    maxImagesPerMessage: env.MAX_IMAGES_PER_MESSAGE,
    maxImages: env.MAX_IMAGES,
    maxImageBytes: env.MAX_IMAGE_BYTES,
  });
  const oneRequest = (request.headers.get('accept') ?? '').includes('text/event-stream');
  const reply = await startReply(body, clientKey(request));
  if (oneRequest) return replyStreamResponse(reply, 0, request, { owner: true });
  // The client may follow the URL on another instance at once: there, the reply must exist.
  await getHub().shared(reply, SHARE_WAIT_MS);
  const streamUrl = streamUrlFor(reply.id);
  return Response.json(
    { id: reply.id, streamUrl },
    { status: 201, headers: { Location: streamUrl, 'Cache-Control': 'no-store' } },
  );
});
