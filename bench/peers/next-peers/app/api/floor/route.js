// The framework's floor: a route handler that reads the request like the relays do and answers
// at once from memory, no upstream. Its time to first token is what Next.js itself costs.
export const dynamic = 'force-dynamic';

const encoder = new TextEncoder();

export async function POST(request) {
  const { messages } = await request.json();
  const prompt = String(messages?.at(-1)?.content ?? '');
  const count = Number(/\[\[tokens:(\d+)\]\]/.exec(prompt)?.[1] ?? 8);
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < count; i++) {
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ content: ` t${i}` })}\n\n`));
      }
      controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform' },
  });
}
