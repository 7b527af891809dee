/**
 * streamChat + runReply end to end: the real `openai` SDK against the real simulator, into a real
 * ReplyStore. The env is set before the modules that read it are imported.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createSimulator } from '@/lib/simulator/server';
import { tokenize } from '@/lib/simulator/content';
import { ReplyStore, type Reply } from '@/lib/streams/reply-store';
import type { Delta } from '@/lib/llm/provider';
import { FakeClock, replyEvents, textOf, type JsonEvent } from './helpers';

type RunReply = typeof import('@/lib/chat/run-reply').runReply;
type StreamChat = typeof import('@/lib/llm/provider').streamChat;

const API_KEY = 'sk-test-run-reply-0123456789';
const UPSTREAM_KEY = Symbol.for('streamchat.upstream');
const GRACE = 30_000;

const ENV_KEYS = [
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_MODEL',
  'UPSTREAM_MAX_RETRIES',
  'UPSTREAM_TIMEOUT_MS',
  'UPSTREAM_IDLE_TIMEOUT_MS',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let sim: ReturnType<typeof createSimulator>;
let baseURL: string;
let consoleLog: MockInstance<typeof console.log>;

function forgetUpstream(): void {
  delete (globalThis as Record<symbol, unknown>)[UPSTREAM_KEY];
}

/** Sets the env and imports fresh copies of the modules that cache it. */
async function loadWith(env: Record<string, string>) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(
    process.env,
    { OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: API_KEY, OPENAI_MODEL: 'demo' },
    env,
  );
  forgetUpstream();
  vi.resetModules();
  const { runReply } = await import('@/lib/chat/run-reply');
  const { streamChat } = await import('@/lib/llm/provider');
  return { runReply, streamChat };
}

beforeAll(async () => {
  sim = createSimulator({ faults: true, tokenDelayMs: 0, firstTokenDelayMs: 0 });
  baseURL = await sim.listen(0);
  // runReply logs upstream errors; keep the output clean and let tests look at the lines.
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterAll(async () => {
  consoleLog.mockRestore();
  forgetUpstream();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await sim.close();
});

function newStore(options: { maxReplyBytes?: number } = {}) {
  const clock = new FakeClock();
  const store = new ReplyStore({
    graceMs: GRACE,
    ttlMs: 600_000,
    maxReplyBytes: options.maxReplyBytes ?? 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxReplies: 100,
    timers: clock,
  });
  return { store, clock };
}

const user = (content: string) => ({ role: 'user' as const, content });

function record(tag: string) {
  return sim.records.find((r) => r.tag === tag);
}

function names(events: JsonEvent[]): string[] {
  return events.map((e) => e.event);
}

describe('runReply with the real SDK and simulator', () => {
  let runReply: RunReply;
  let streamChat: StreamChat;

  beforeAll(async () => {
    ({ runReply, streamChat } = await loadWith({
      UPSTREAM_MAX_RETRIES: '0',
      UPSTREAM_TIMEOUT_MS: '300',
      UPSTREAM_IDLE_TIMEOUT_MS: '1000',
    }));
  });

  /** Runs one reply to its end and returns its events. */
  async function run(
    content: string,
    options: { store?: ReplyStore; maxDurationMs?: number } = {},
  ) {
    const store = options.store ?? newStore().store;
    const reply = store.create('demo');
    store.attach(reply);
    await runReply(store, reply, [user(content)], {
      maxDurationMs: options.maxDurationMs ?? 10_000,
    });
    return { reply, events: replyEvents(reply) };
  }

  it('relays a normal reply: messages, then usage, then close stop', async () => {
    const question = '[[tag:normal]] Hello there, how are you?';
    const { reply, events } = await run(question);
    const answer = 'Reply to: Hello there, how are you?';
    expect(textOf(events)).toBe(answer);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const tokens = tokenize(answer).length;
    expect(names(events)).toEqual([
      'meta',
      ...Array<string>(tokens).fill('message'),
      'usage',
      'close',
    ]);
    expect(events.at(-2)!.data).toEqual({
      promptTokens: tokenize(question).length,
      completionTokens: tokens,
      totalTokens: tokenize(question).length + tokens,
    });
    expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
    expect(reply.finishReason).toBe('stop');
    expect(record('normal')).toMatchObject({
      model: 'demo',
      clientClosed: false,
      tokensSent: tokens,
    });
  });

  it('passes a length finish reason through', async () => {
    const { events } = await run('[[length]] cut short');
    expect(events.at(-1)!.data).toEqual({ finishReason: 'length' });
  });

  it.each(['reasoning', 'reasoning-field'])(
    'relays [[%s]] as reasoning events before the answer',
    async (directive) => {
      const { events } = await run(`[[${directive}]] think`);
      expect(textOf(events, 'reasoning')).toBe('Let me think about this step by step.');
      expect(textOf(events)).toBe('Reply to: think');
      const lastReasoning = names(events).lastIndexOf('reasoning');
      expect(lastReasoning).toBeLessThan(names(events).indexOf('message'));
      expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
    },
  );

  it('keeps multi-byte text split across network reads exact', async () => {
    // Few tokens (each is split into 1..3-byte network reads), many multi-byte characters.
    const text = 'Grüße,東京🚀✨ naïve—café 👩‍👩‍👧end';
    const { events } = await run(`[[split-utf8]][[echo]] ${text}`);
    expect(textOf(events)).toBe(text);
    expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
  });

  it('reports a body that ends without [DONE] as upstream_interrupted', async () => {
    consoleLog.mockClear();
    const { reply, events } = await run('[[no-done]] one two three');
    expect(textOf(events)).toBe('Reply to: one two three');
    expect(names(events).slice(-2)).toEqual(['error', 'close']);
    expect(events.at(-2)!.data).toMatchObject({ code: 'upstream_interrupted', retryable: true });
    expect(events.at(-1)!.data).toEqual({ finishReason: 'error' });
    expect(reply.finishReason).toBe('error');
    const lines = consoleLog.mock.calls.map((c) => String(c[0]));
    expect(lines.some((l) => l.includes('upstream_interrupted') && l.includes(reply.id))).toBe(
      true,
    );
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it.each([
    ['[[cut:3]]', 'upstream_interrupted', 3],
    ['[[error-mid:2]]', 'upstream_error', 2],
    ['[[malformed:2]]', 'bad_upstream_response', 2],
  ])('maps %s to %s', async (directive, code, messages) => {
    const { events } = await run(`${directive} one two three four five`);
    expect(names(events).filter((n) => n === 'message')).toHaveLength(messages);
    expect(names(events).slice(-2)).toEqual(['error', 'close']);
    expect(events.at(-2)!.data).toMatchObject({ code });
    expect(events.at(-1)!.data).toEqual({ finishReason: 'error' });
  });

  it('times out a stream that goes silent (idle timeout) and closes the connection', async () => {
    const started = Date.now();
    const { events } = await run('[[tag:hang]] [[hang:2]] one two three four');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(textOf(events)).toBe('Reply to:');
    expect(events.at(-2)!.data).toMatchObject({ code: 'upstream_timeout', retryable: true });
    expect(events.at(-1)!.data).toEqual({ finishReason: 'error' });
    await vi.waitFor(() => expect(record('hang')?.clientClosed).toBe(true));
  });

  it('times out an upstream that does not answer in time (UPSTREAM_TIMEOUT_MS)', async () => {
    const started = Date.now();
    const { events } = await run('[[first-byte:2000]] hi');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(names(events)).toEqual(['meta', 'error', 'close']);
    expect(events[1]!.data).toMatchObject({ code: 'upstream_timeout', retryable: true });
  });

  it('reports an HTTP error from the upstream with its code', async () => {
    const { events } = await run('[[status:429]] [[retry-after:9]] hi');
    expect(names(events)).toEqual(['meta', 'error', 'close']);
    expect(events[1]!.data).toMatchObject({ code: 'rate_limited', retryable: true, retryAfter: 9 });
  });

  it('closes the upstream connection soon after the reply is stopped', async () => {
    const { store } = newStore();
    const reply = store.create('demo');
    store.attach(reply);
    const done = runReply(store, reply, [user('[[tag:stop-me]] [[tokens:2000]] [[delay:5]]')], {
      maxDurationMs: 10_000,
    });
    await vi.waitFor(() => expect(reply.lastEventId).toBeGreaterThan(3));
    expect(store.stop(reply.id)).toBe(true);
    await done;
    const events = replyEvents(reply);
    expect(names(events)).not.toContain('error');
    expect(events.at(-1)!.data).toEqual({ finishReason: 'stopped' });
    await vi.waitFor(() => expect(record('stop-me')?.clientClosed).toBe(true));
    expect(record('stop-me')!.tokensSent).toBeLessThan(2000);
    // Nothing is appended after the close.
    expect(reply.frames).toHaveLength(events.length);
  });

  it('aborts the upstream when nobody follows the reply within the grace', async () => {
    const { store, clock } = newStore();
    const reply = store.create('demo');
    const done = runReply(store, reply, [user('[[tag:abandoned]] [[tokens:2000]] [[delay:5]]')], {
      maxDurationMs: 10_000,
    });
    await vi.waitFor(() => expect(reply.lastEventId).toBeGreaterThan(3));
    clock.advance(GRACE);
    await done;
    expect(reply.finishReason).toBe('stopped');
    await vi.waitFor(() => expect(record('abandoned')?.clientClosed).toBe(true));
  });

  it('cuts a reply that runs past maxDurationMs with reply_timeout', async () => {
    const started = Date.now();
    const { events } = await run('[[tag:deadline]] [[tokens:2000]] [[delay:5]]', {
      maxDurationMs: 150,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(names(events).slice(-2)).toEqual(['error', 'close']);
    expect(events.at(-2)!.data).toMatchObject({ code: 'reply_timeout', retryable: false });
    expect(events.at(-1)!.data).toEqual({ finishReason: 'error' });
    await vi.waitFor(() => expect(record('deadline')?.clientClosed).toBe(true));
  });

  it('cuts a reply past maxReplyBytes with reply_too_large and closes the upstream', async () => {
    const { store } = newStore({ maxReplyBytes: 2_000 });
    const { reply, events } = await run('[[tag:too-large]] [[tokens:2000]] [[delay:5]]', { store });
    expect(names(events).slice(-2)).toEqual(['error', 'close']);
    expect(events.at(-2)!.data).toMatchObject({ code: 'reply_too_large' });
    expect(reply.finishReason).toBe('length');
    await vi.waitFor(() => expect(record('too-large')?.clientClosed).toBe(true));
  });

  it('streamChat yields text deltas, a finish and usage', async () => {
    const deltas: Delta[] = [];
    await streamChat(
      { model: 'demo', messages: [user('[[echo]] a b')], signal: new AbortController().signal },
      (batch) => deltas.push(...batch),
    );
    expect(deltas).toEqual([
      { type: 'text', content: 'a' },
      { type: 'text', content: ' b' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
  });

  it('streamChat ends quietly when its signal aborts mid-stream', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const iterate = () =>
      streamChat(
        {
          model: 'demo',
          messages: [user('[[tag:abort-quiet]] [[tokens:2000]] [[delay:5]]')],
          signal: controller.signal,
        },
        (batch) => {
          for (const d of batch) if (d.type === 'text') seen.push(d.content);
          if (seen.length >= 3) controller.abort();
        },
      );
    await expect(iterate()).resolves.toBeUndefined();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(2000);
    await vi.waitFor(() => expect(record('abort-quiet')?.clientClosed).toBe(true));
  });
});

describe('streamChat retries', () => {
  let runReply: RunReply;

  beforeAll(async () => {
    ({ runReply } = await loadWith({ UPSTREAM_MAX_RETRIES: '2', UPSTREAM_TIMEOUT_MS: '2000' }));
  });

  async function run(content: string) {
    const { store } = newStore();
    const reply: Reply = store.create('demo');
    store.attach(reply);
    await runReply(store, reply, [user(content)], { maxDurationMs: 10_000 });
    return replyEvents(reply);
  }

  it('retries a short Retry-After', async () => {
    const events = await run('[[tag:short-ra]] [[status:429]] [[retry-after:0.01]] hi');
    expect(events[1]!.data).toMatchObject({ code: 'rate_limited' });
    expect(sim.records.filter((r) => r.tag === 'short-ra')).toHaveLength(3);
  });

  it('fails at once on a long Retry-After instead of sleeping on it', async () => {
    const started = Date.now();
    const events = await run('[[tag:long-ra]] [[status:429]] [[retry-after:7]] hi');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(events[1]!.data).toMatchObject({ code: 'rate_limited', retryAfter: 7 });
    expect(sim.records.filter((r) => r.tag === 'long-ra')).toHaveLength(1);
  });
});

describe('streamChat and the upstream connection pool', () => {
  // A server that sends `[DONE]` and ends the response a moment later, as a proxy may: the
  // reply is complete at `[DONE]`, and its connection should still go back to the pool.
  let server: http.Server;
  const sockets = new Set<unknown>();
  let streamChat: StreamChat;
  let agents: typeof import('@/lib/llm/node-fetch').agents;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      sockets.add(req.socket);
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n');
      res.write('data: [DONE]\n\n');
      setTimeout(() => res.end(), 100);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ({ streamChat } = await loadWith({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` }));
    ({ agents } = await import('@/lib/llm/node-fetch'));
  });

  afterAll(() => {
    forgetUpstream();
    server.closeAllConnections();
    server.close();
  });

  it('reads the body to its end after [DONE], so the next reply reuses the connection', async () => {
    for (let i = 0; i < 3; i++) {
      const deltas: Delta[] = [];
      await streamChat(
        { model: 'demo', messages: [user('hi')], signal: new AbortController().signal },
        (batch) => deltas.push(...batch),
      );
      expect(deltas).toContainEqual({ type: 'text', content: 'hi' });
      // Back in the pool once the body has ended.
      await vi.waitFor(() => expect(Object.keys(agents['http:'].freeSockets)).toHaveLength(1));
    }
    expect(sockets.size).toBe(1);
  });
});
