/**
 * What every upstream wire-format reader is (lib/llm/chat-completions.ts, lib/llm/responses.ts):
 * a factory fed the bytes of each network read that calls back with our deltas, in the shape of
 * eventsource-parser's `createParser({ onEvent })`. Readers do no I/O and keep no timers, so they
 * are tested on byte streams without a network; lib/llm/body.ts drives one over a response body.
 */
import { UpstreamFault } from '@/lib/llm/errors';
import type { FinishReason, UsageData } from '@/lib/chat/protocol';

export type Delta =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'usage'; usage: UsageData }
  | { type: 'finish'; reason: FinishReason };

export interface ReaderOptions {
  /** Called synchronously, during `feed`, with each delta in order. */
  onDelta: (delta: Delta) => void;
  /** The response's headers, for the `APIError` of an error inside the stream. */
  headers?: Headers;
}

export interface UpstreamReader {
  /**
   * Parses the bytes of one network read (multi-byte characters and events may span reads).
   * True when at least one event was completed (life, for the idle timeout). Does nothing once
   * the stream is `done` or has failed.
   */
  feed(bytes: Uint8Array): boolean;
  /** A finish was read: the answer is whole (a body that ends before it was cut). */
  readonly finished: boolean;
  /** The stream said it is over (`[DONE]`, a terminal event): nothing more is read. */
  readonly done: boolean;
  /** The first reason the stream cannot be read on (nothing after it is), or undefined. */
  readonly failure: unknown;
}

/**
 * The longest event (line, or lines of one event) read before it is parsed: far above any real
 * chunk (a token is tens of bytes, a tool call a few KB), far below what hurts the process. An
 * upstream that sends a body without line breaks is cut here instead of buffered without end.
 */
export const MAX_EVENT_CHARS = 1024 * 1024;

/** A string field of an event: absent, null or a string; anything else is a broken upstream. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UpstreamFault('bad_upstream_response');
  return value;
}

/** A token count: a non-negative safe integer (anything else is dropped, never relayed). */
export const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** Usage from three counts, when the first two are counts; a bad total is recomputed. */
export function usageOf(prompt: unknown, completion: unknown, total: unknown): Delta | undefined {
  if (!count(prompt) || !count(completion)) return undefined;
  return {
    type: 'usage',
    usage: {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: count(total) ? total : prompt + completion,
    },
  };
}
