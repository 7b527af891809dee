// The Vercel AI SDK way: streamText with the OpenAI provider, returned as a UI message stream.
import { streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { upstream } from '../../upstream';

export const dynamic = 'force-dynamic';

const openai = createOpenAI({ apiKey: upstream.apiKey, baseURL: upstream.baseURL });

export async function POST(request) {
  const { messages, model } = await request.json();
  const result = streamText({
    // The chat completions API: what every OpenAI-compatible server speaks.
    model: openai.chat(model ?? upstream.model),
    messages,
    abortSignal: request.signal,
  });
  return result.toUIMessageStreamResponse();
}
