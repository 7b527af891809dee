/**
 * What every upstream wire-format reader is (lib/llm/chat-completions.ts, lib/llm/responses.ts):
 * a factory fed the bytes of each network read that calls back with our deltas, in the shape of
 * eventsource-parser's `createParser({ onEvent })`. Readers do no I/O and keep no timers, so they
 * are tested on byte streams without a network; lib/llm/body.ts drives one over a response body.
 * What the dialects share (decoding, SSE, `[DONE]`, JSON, the first failure) is
 * `createJsonEventReader`: a dialect is what it does with one event.
 */
import { createParser } from 'eventsource-parser';
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

/** What a dialect says after reading one event of its stream. */
export interface EventControl {
  /** A finish was read: the answer is whole. */
  finish(): void;
  /** Nothing more is read (a terminal event). */
  end(): void;
  /** The stream is broken: nothing after this is read. */
  fail(reason: unknown): void;
}

/**
 * The part every reader shares, so that a dialect is only what it does with one event: UTF-8
 * decoded across reads, SSE parsed with events capped at MAX_EVENT_CHARS, `[DONE]` ends it, one
 * `JSON.parse` per event (not JSON: the `SyntaxError`), an event that is not an object is
 * `bad_upstream_response`, and whatever `read` throws is the failure. One synchronous pass per
 * network read, no promise per event.
 */
export function createJsonEventReader<Event extends object>(
  read: (event: Event, control: EventControl) => void,
): UpstreamReader {
  let finished = false;
  let done = false;
  let failure: unknown; // the first reason the stream is broken
  let sawEvent = false; // an event completed during the current feed
  const decoder = new TextDecoder();
  const control: EventControl = {
    finish: () => void (finished = true),
    end: () => void (done = true),
    fail: (reason) => void (failure ??= reason),
  };
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent({ data }) {
      sawEvent = true;
      if (done || failure !== undefined) return;
      if (data.startsWith('[DONE]')) {
        done = true;
        return;
      }
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch (error) {
        failure = error;
        return;
      }
      if (event === null) return;
      if (typeof event !== 'object' || Array.isArray(event)) {
        failure = new UpstreamFault('bad_upstream_response');
        return;
      }
      try {
        read(event as Event, control);
      } catch (error) {
        failure ??= error;
      }
    },
    onError(error) {
      // Only an event past MAX_EVENT_CHARS stops the parser; other parse errors are harmless.
      if (error.type === 'max-buffer-size-exceeded') {
        failure ??= new UpstreamFault('bad_upstream_response');
      }
    },
  });
  return {
    feed(bytes) {
      sawEvent = false;
      if (done || failure !== undefined) return false;
      parser.feed(decoder.decode(bytes, { stream: true }));
      return sawEvent;
    },
    get finished() {
      return finished;
    },
    get done() {
      return done;
    },
    get failure() {
      return failure;
    },
  };
}
