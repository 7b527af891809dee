/**
 * Small clients for the public API, used by the specs: a raw SSE reader (fetch +
 * eventsource-parser, so tests see every frame, comment and header), a real EventSource follower
 * (the `eventsource` package, which reconnects with Last-Event-ID like a browser), and helpers
 * for the simulator's request log.
 */
import { createParser } from 'eventsource-parser';
import { EventSource } from 'eventsource';
import { expect } from '@playwright/test';

export const APP = () => process.env.APP_URL!;
export const SIM = () => process.env.SIMULATOR_URL!;

/**
 * The app on each upstream dialect (global-setup.ts: the same settings and simulator), for the
 * specs that must hold on both; `api` is how the simulator's records name it.
 */
export const DIALECTS = [
  { name: 'chat-completions', api: 'chat.completions', url: APP },
  { name: 'responses', api: 'responses', url: () => process.env.APP_RESPONSES_URL! },
] as const;

export interface SseEvent {
  event: string;
  id: number;
  data: Record<string, unknown>;
  at: number;
}

export interface SseResult {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  retry: number | undefined;
  /** Everything received, as text. */
  raw: string;
}

export function text(events: SseEvent[]): string {
  return events
    .filter((e) => e.event === 'message')
    .map((e) => e.data.content as string)
    .join('');
}

/**
 * Reads an event stream until it ends, or until `stopWhen` says so (then the connection is cut).
 */
export async function readSse(
  url: string,
  init: RequestInit & { stopWhen?: (events: SseEvent[]) => boolean } = {},
): Promise<SseResult> {
  const controller = new AbortController();
  const res = await fetch(url, { ...init, signal: controller.signal });
  const result: SseResult = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    retry: undefined,
    raw: '',
  };
  if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
    result.raw = await res.text();
    return result;
  }
  let stop = false;
  const parser = createParser({
    onEvent(e) {
      result.events.push({
        event: e.event ?? 'message',
        id: Number(e.id),
        data: JSON.parse(e.data) as Record<string, unknown>,
        at: performance.now(),
      });
      if (init.stopWhen?.(result.events)) stop = true;
    },
    onComment: (c) => result.comments.push(c.trim()),
    onRetry: (r) => (result.retry = r),
  });
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = decoder.decode(value, { stream: true });
      result.raw += chunk;
      parser.feed(chunk);
      if (stop) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (!stop) throw error;
  }
  return result;
}

/** A fresh client address, so instances with rate limits see each request as its own client. */
export function someClient(): Record<string, string> {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return { 'X-Forwarded-For': `10.${n()}.${n()}.${n()}` };
}

export async function postChat(
  content: string,
  extra: Record<string, unknown> = {},
  base = APP(),
): Promise<{ id: string; streamUrl: string }> {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...someClient() },
    body: JSON.stringify({ messages: [{ role: 'user', content }], ...extra }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; streamUrl: string };
}

/** Sends a reply in one-request mode and reads it to the end. */
export function oneRequest(content: string, base = APP(), stopWhen?: (e: SseEvent[]) => boolean) {
  return readSse(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...someClient() },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    stopWhen,
  });
}

/**
 * Follows a stream with a real EventSource until `close`, returning every event it saw, how often
 * it opened a connection and the reasons of its connection errors. Rejects when the EventSource
 * gives up for good (a non-200 answer) or after `timeoutMs`.
 */
export function followWithEventSource(
  url: string,
  onEvent?: (e: SseEvent, all: SseEvent[]) => void,
  { timeoutMs = 25_000 } = {},
): Promise<{ events: SseEvent[]; opens: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const es = new EventSource(url);
    const events: SseEvent[] = [];
    const errors: string[] = [];
    let opens = 0;
    const timer = setTimeout(() => {
      es.close();
      reject(new Error(`EventSource did not see close; saw ${events.length} events`));
    }, timeoutMs);
    const push = (name: string) => (e: MessageEvent) => {
      const ev = {
        event: name,
        id: Number(e.lastEventId),
        data: JSON.parse(e.data),
        at: performance.now(),
      };
      events.push(ev);
      onEvent?.(ev, events);
      if (name === 'close') {
        es.close();
        clearTimeout(timer);
        resolve({ events, opens, errors });
      }
    };
    es.addEventListener('open', () => opens++);
    for (const name of ['meta', 'notice', 'message', 'reasoning', 'usage', 'close']) {
      es.addEventListener(name, push(name));
    }
    es.addEventListener('error', (e) => {
      if ((e as unknown as { data?: string }).data)
        return push('error')(e as unknown as MessageEvent);
      errors.push(String((e as unknown as { message?: string }).message ?? 'error'));
      if (es.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        reject(new Error(`EventSource gave up (${errors.at(-1)}) after ${events.length} events`));
      }
    });
  });
}

export interface SimRecord {
  tag: string | undefined;
  clientClosed: boolean;
  endedAt: number | undefined;
  tokensSent: number;
  /** Response body bytes the simulator handed to the socket. */
  bytesSent: number;
  status: number;
  authorized: boolean;
  /** The request asked to continue an answer (another instance carrying a reply on). */
  continuation: boolean;
  /** The assistant text the request carried last (what a continuation continues). */
  lastAssistant: string | undefined;
  /** The API it came through: `chat.completions` or `responses`. */
  api: string;
  /** Its generation settings, read from the API's own fields, named as in POST /api/chat. */
  params: { temperature?: unknown; maxTokens?: unknown; reasoningEffort?: unknown };
}

/** Every upstream request the simulator received with this tag. */
export async function simRecords(tag: string): Promise<SimRecord[]> {
  const res = await fetch(`${SIM()}/_stats`);
  const { requests } = (await res.json()) as { requests: SimRecord[] };
  return requests.filter((r) => r.tag === tag);
}

export async function simRecord(tag: string): Promise<SimRecord | undefined> {
  return (await simRecords(tag))[0];
}

export function uniqueTag(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Ids must run 1, 2, 3… with no gap and no repeat. */
export function expectConsecutiveIds(events: SseEvent[]): void {
  expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
}
