/**
 * The variants every server figure is taken for, and how each is asked for a reply: the same
 * prompt (simulator directives included) reaches the same upstream in every case.
 */
import type { Target } from './client';

export type VariantId = 'direct' | 'app' | 'app-responses' | 'naive' | 'ai-sdk' | 'floor';

export const VARIANTS: { id: VariantId; label: string }[] = [
  { id: 'direct', label: 'direct (upstream itself)' },
  { id: 'app', label: 'this app' },
  { id: 'app-responses', label: 'this app, Responses API' },
  { id: 'naive', label: 'naive relay' },
  { id: 'ai-sdk', label: 'AI SDK' },
  { id: 'floor', label: 'Next.js route, no upstream' },
];

/** The relays measured; BENCH_RELAYS=app,naive narrows a development run (not for results). */
export const RELAYS: VariantId[] = process.env.BENCH_RELAYS
  ? (process.env.BENCH_RELAYS.split(',') as VariantId[])
  : ['app', 'naive', 'ai-sdk'];

/**
 * This app on each upstream dialect: `app-responses` is the same build with OPENAI_API=responses
 * (the simulator answering /v1/responses). Measured where the dialect is what could differ: time
 * to first token and CPU per relayed token; the memory figures are the same code for both.
 */
export const DIALECT_RELAYS: VariantId[] = RELAYS.flatMap((id) =>
  id === 'app' && !process.env.BENCH_RELAYS ? ['app', 'app-responses'] : [id],
);

/** Whether a variant is this app (on either dialect). */
export const isApp = (id: VariantId) => id === 'app' || id === 'app-responses';

export function labelOf(id: VariantId): string {
  return VARIANTS.find((v) => v.id === id)!.label;
}

export function target(id: VariantId, port: number, prompt: string): Target {
  const messages = [{ role: 'user', content: prompt }];
  switch (id) {
    case 'direct':
      return {
        port,
        path: '/v1/chat/completions',
        headers: { Authorization: 'Bearer sk-bench' },
        body: JSON.stringify({
          model: 'demo',
          stream: true,
          stream_options: { include_usage: true },
          messages,
        }),
        tokenMarker: '"delta":{"content":',
        endMarker: 'data: [DONE]',
        errorMarker: 'data: {"error"',
      };
    case 'app':
    case 'app-responses':
      // One-request mode: the event stream comes back in the POST's response.
      return {
        port,
        path: '/api/chat',
        headers: { Accept: 'text/event-stream' },
        body: JSON.stringify({ messages }),
        tokenMarker: 'data: {"content":',
        endMarker: '"finishReason":"stop"',
        errorMarker: 'event: error',
      };
    case 'naive':
      return {
        port,
        path: '/api/naive',
        headers: {},
        body: JSON.stringify({ messages }),
        tokenMarker: 'data: {"content":',
        endMarker: 'data: [DONE]',
        errorMarker: '"error"',
      };
    case 'floor':
      // Not a relay: the same Next.js build answering from memory, for the time-to-first-token
      // figure only, to show what the framework's request path costs by itself.
      return {
        port,
        path: '/api/floor',
        headers: {},
        body: JSON.stringify({ messages }),
        tokenMarker: 'data: {"content":',
        endMarker: 'data: [DONE]',
        errorMarker: '"error"',
      };
    case 'ai-sdk':
      return {
        port,
        path: '/api/ai-sdk',
        headers: {},
        body: JSON.stringify({ messages }),
        tokenMarker: '"type":"text-delta"',
        endMarker: '"type":"finish"',
        errorMarker: '"type":"error"',
      };
  }
}
