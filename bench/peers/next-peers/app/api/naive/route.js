// The obvious relay: for await over the OpenAI SDK stream, one controller.enqueue per token.
import OpenAI from 'openai';
import { upstream } from '../../upstream';

export const dynamic = 'force-dynamic';

const client = new OpenAI({ apiKey: upstream.apiKey, baseURL: upstream.baseURL });
const encoder = new TextEncoder();

export async function POST(request) {
  const { messages, model } = await request.json();
  const stream = await client.chat.completions.create(
    { model: model ?? upstream.model, messages, stream: true },
    { signal: request.signal },
  );
  const body = new ReadableStream({
    async start(controller) {
      try {
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta?.content;
          if (content)
            controller.enqueue(encoder.encode(`data: ${JSON.stringify({ content })}\n\n`));
        }
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
    cancel() {
      stream.controller.abort();
    },
  });
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform' },
  });
}
