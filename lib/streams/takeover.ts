/**
 * What an instance needs to carry on a reply that another instance was generating: the text so
 * far (from the stored frames) and the request that asks the model to go on from it, the same
 * one the UI's Continue sends.
 */
import { CONTINUE_PROMPT } from '@/lib/chat/protocol';
import { decodeJsonEvent } from '@/lib/sse/frame';

export const CONTINUED_NOTICE = {
  code: 'continued',
  message:
    'The server generating this reply stopped; another one continued it from the text so far.',
} as const;

/** What a reply taken over is carried on with (see `RedisHubOptions.carryOn`). */
export interface Carried {
  /** The request that continues the answer. */
  messages: unknown[];
  /** The answer so far. */
  text: string;
  /** The generation settings it was asked with, as stored (unchecked), if any. */
  params: unknown;
}

/** The answer's text in `frames` (the `message` events, in order). */
export function textOf(frames: readonly string[]): string {
  let text = '';
  for (const frame of frames) {
    const event = decodeJsonEvent(frame);
    if (event?.event !== 'message') continue;
    const content = (event.data as { content?: unknown } | null)?.content;
    if (typeof content === 'string') text += content;
  }
  return text;
}

/** Whether the last frame is the reply's `close` (it ended; nothing to carry on). */
export function endsWithClose(frames: readonly string[]): boolean {
  const last = frames.at(-1);
  return last !== undefined && decodeJsonEvent(last)?.event === 'close';
}

/** The request that continues `messages` after an answer that got as far as `text`. */
export function continuation<M>(
  messages: M[],
  text: string,
): (M | { role: string; content: string })[] {
  if (text === '') return messages;
  return [
    ...messages,
    { role: 'assistant', content: text },
    { role: 'user', content: CONTINUE_PROMPT },
  ];
}
