/**
 * Shared test helpers: an SSE reader built on a real WHATWG parser (eventsource-parser) and a
 * fake clock for the reply store's injected timers.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ReplyStore, type Timers } from '@/lib/streams/reply-store';
import type { Limits } from '@/lib/chat/request';

export interface Parsed {
  events: EventSourceMessage[];
  comments: string[];
  retries: number[];
  errors: Error[];
}

/** A parser that records everything it sees. */
export function recordingParser() {
  const out: Parsed = { events: [], comments: [], retries: [], errors: [] };
  const parser = createParser({
    onEvent: (e) => out.events.push(e),
    onComment: (c) => out.comments.push(c),
    onRetry: (r) => out.retries.push(r),
    onError: (e) => out.errors.push(e),
  });
  return { parser, out };
}

/** Parses a complete SSE text in one feed. */
export function parseSse(text: string): Parsed {
  const { parser, out } = recordingParser();
  parser.feed(text);
  return out;
}

/** A JSON event as the API defines it: name (default `message`), numeric id, parsed data. */
export interface JsonEvent {
  event: string;
  id: number;
  data: unknown;
}

export function toJsonEvents(events: EventSourceMessage[]): JsonEvent[] {
  return events.map((e) => ({
    event: e.event ?? 'message',
    id: Number(e.id),
    data: JSON.parse(e.data) as unknown,
  }));
}

/** The events a reply holds, parsed back from its stored frames. */
export function replyEvents(reply: { frames: readonly string[] }): JsonEvent[] {
  return toJsonEvents(parseSse(reply.frames.join('')).events);
}

/** Concatenated `content` of every event with this name. */
export function textOf(events: JsonEvent[], name: 'message' | 'reasoning' = 'message'): string {
  return events
    .filter((e) => e.event === name)
    .map((e) => (e.data as { content: string }).content)
    .join('');
}

/** Deterministic timers: nothing fires until `advance` moves the clock past a deadline. */
export class FakeClock implements Timers {
  private time: number;
  private nextHandle = 1;
  private pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.pending.set(handle, { at: this.time + Math.max(0, ms), fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers not yet fired or cleared. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time forward, firing due timers in deadline order (timers set meanwhile included). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
  }
}

/** A reply store on a fake clock, with room to spare: tests that are not about its limits. */
export function testStore(graceMs: number): { store: ReplyStore; clock: FakeClock } {
  const clock = new FakeClock();
  const store = new ReplyStore({
    graceMs,
    ttlMs: 600_000,
    maxReplyBytes: 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxReplies: 100,
    timers: clock,
  });
  return { store, clock };
}

/** Small request limits, easy to reach in a test. */
export const TEST_LIMITS: Limits = {
  maxBodyBytes: 4096,
  maxMessages: 5,
  maxMessageChars: 100,
  maxTotalChars: 250,
  maxImageBodyBytes: 4096,
  maxImagesPerMessage: 2,
  maxImages: 3,
  maxImageBytes: 1000,
};
