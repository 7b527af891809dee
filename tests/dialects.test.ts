/**
 * Both upstream dialects end to end, in process: runReply and streamChat with the real SDK
 * against the real simulator, once with OPENAI_API=chat-completions and once with
 * OPENAI_API=responses. The same questions must give the same events, the same faults the same
 * codes, and stop and abandon must close the upstream request either way.
 */
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createSimulator } from '@/lib/simulator/server';
import { tokenize } from '@/lib/simulator/content';
import type { GenerationParams } from '@/lib/chat/request';
import { replyEvents, testStore, textOf, type JsonEvent } from './helpers';

type RunReply = typeof import('@/lib/chat/run-reply').runReply;

const API_KEY = 'sk-test-dialects-0123456789';
const UPSTREAM_KEY = Symbol.for('streamchat.upstream');
const GRACE = 30_000;
const ENV_KEYS = [
  'OPENAI_API',
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_MODEL',
  'UPSTREAM_MAX_RETRIES',
  'UPSTREAM_TIMEOUT_MS',
  'UPSTREAM_IDLE_TIMEOUT_MS',
  'DEMO_TOKEN_DELAY_MS',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let sim: ReturnType<typeof createSimulator>;
let baseURL: string;
let consoleLog: MockInstance<typeof console.log>;

function forgetUpstream(): void {
  delete (globalThis as Record<symbol, unknown>)[UPSTREAM_KEY];
}

async function loadWith(env: Record<string, string | undefined>): Promise<RunReply> {
  for (const k of ENV_KEYS) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  forgetUpstream();
  vi.resetModules();
  return (await import('@/lib/chat/run-reply')).runReply;
}

beforeAll(async () => {
  sim = createSimulator({ faults: true, tokenDelayMs: 0, firstTokenDelayMs: 0 });
  baseURL = await sim.listen(0);
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

const newStore = () => testStore(GRACE);

const names = (events: JsonEvent[]) => events.map((e) => e.event);
const records = (tag: string) => sim.records.filter((r) => r.tag === tag);

for (const [dialect, api] of [
  ['chat-completions', 'chat.completions'],
  ['responses', 'responses'],
] as const) {
  describe(`OPENAI_API=${dialect}`, () => {
    let runReply: RunReply;
    let n = 0;
    const tag = (name: string) => `${dialect}-${name}-${++n}`;

    beforeAll(async () => {
      runReply = await loadWith({
        OPENAI_API: dialect,
        OPENAI_BASE_URL: baseURL,
        OPENAI_API_KEY: API_KEY,
        OPENAI_MODEL: 'demo',
        UPSTREAM_MAX_RETRIES: '0',
        UPSTREAM_TIMEOUT_MS: '300',
        UPSTREAM_IDLE_TIMEOUT_MS: '1000',
      });
    });

    async function run(
      messages: { role: 'system' | 'user' | 'assistant'; content: string }[] | string,
      params?: GenerationParams,
    ) {
      const { store } = newStore();
      const reply = store.create('demo');
      store.attach(reply);
      const list =
        typeof messages === 'string' ? [{ role: 'user' as const, content: messages }] : messages;
      await runReply(store, reply, list, { maxDurationMs: 10_000, params });
      return { reply, events: replyEvents(reply) };
    }

    it('relays a reply as messages, usage and close, through its own API', async () => {
      const t = tag('normal');
      const question = `[[tag:${t}]] Hello there, how are you?`;
      const { events } = await run(question);
      const answer = 'Reply to: Hello there, how are you?';
      const tokens = tokenize(answer).length;
      expect(textOf(events)).toBe(answer);
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
      expect(records(t)).toMatchObject([{ api, clientClosed: false, tokensSent: tokens }]);
    });

    it('sends the system prompt and the whole conversation', async () => {
      const t = tag('conversation');
      await run([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'an answer' },
        { role: 'user', content: `[[tag:${t}]] second` },
      ]);
      const [record] = records(t);
      expect(record!.system).toBe('Be brief.');
      expect(record!.lastAssistant).toBe('an answer');
      expect(record!.messages.map((m) => [m.role, m.content])).toEqual([
        ['system', 'Be brief.'],
        ['user', 'first'],
        ['assistant', 'an answer'],
        ['user', `[[tag:${t}]] second`],
      ]);
    });

    it('passes params in its own form; a smaller maxTokens ends with length', async () => {
      const t = tag('params');
      const { events } = await run(`[[tag:${t}]] one two three four five`, {
        temperature: 0.3,
        maxTokens: 2,
        reasoningEffort: 'low',
      });
      expect(records(t)[0]!.params).toEqual({
        temperature: 0.3,
        maxTokens: 2,
        reasoningEffort: 'low',
      });
      expect(names(events).filter((e) => e === 'message')).toHaveLength(2);
      expect(events.at(-1)!.data).toEqual({ finishReason: 'length' });
      const bare = tag('no-params');
      await run(`[[tag:${bare}]] hi`);
      expect(records(bare)[0]!.params).toEqual({});
    });

    it('passes a length finish through', async () => {
      const { events } = await run('[[length]] cut short');
      expect(events.at(-1)!.data).toEqual({ finishReason: 'length' });
      expect(names(events)).toContain('usage');
    });

    it.each(['reasoning', 'reasoning-field'])(
      'relays [[%s]] as reasoning events before the answer',
      async (directive) => {
        const { events } = await run(`[[${directive}]] think`);
        expect(textOf(events, 'reasoning')).toBe('Let me think about this step by step.');
        expect(textOf(events)).toBe('Reply to: think');
        expect(names(events).lastIndexOf('reasoning')).toBeLessThan(
          names(events).indexOf('message'),
        );
      },
    );

    it('keeps multi-byte text split across network reads exact', async () => {
      const text = 'Grüße,東京🚀✨ naïve—café 👩‍👩‍👧end\r\nnext';
      const { events } = await run(`[[split-utf8]][[echo]] ${text}`);
      expect(textOf(events)).toBe(text);
      expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
    });

    it.each([
      ['[[no-done]]', 'upstream_interrupted', 7],
      ['[[cut:3]]', 'upstream_interrupted', 3],
      ['[[error-mid:2]]', 'upstream_error', 2],
      ['[[malformed:2]]', 'bad_upstream_response', 2],
      ['[[bad-types:content]]', 'bad_upstream_response', 1],
      ['[[bad-types:finish]]', 'bad_upstream_response', 7],
      ['[[bad-types:reasoning]]', 'bad_upstream_response', 0],
      ['[[status:401]]', 'upstream_auth', 0],
      ['[[status:404]]', 'model_not_found', 0],
      ['[[status:503]]', 'upstream_unavailable', 0],
      ['[[redirect]]', 'bad_upstream_response', 0],
      ['[[status:400]]', 'upstream_bad_request', 0],
    ])('maps %s to %s after the text before it', async (directive, code, messages) => {
      const { events } = await run(`${directive} one two three four five`);
      expect(names(events).filter((e) => e === 'message')).toHaveLength(messages);
      expect(names(events).slice(-2)).toEqual(['error', 'close']);
      expect(events.at(-2)!.data).toMatchObject({ code });
      expect(events.at(-1)!.data).toEqual({ finishReason: 'error' });
    });

    it('drops usage whose counts are not counts and ends normally', async () => {
      const { events } = await run('[[bad-types:usage]] one two');
      expect(names(events)).not.toContain('usage');
      expect(names(events)).not.toContain('error');
      expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
    });

    it('reports a 429 with its Retry-After', async () => {
      const { events } = await run('[[status:429]] [[retry-after:9]] hi');
      expect(names(events)).toEqual(['meta', 'error', 'close']);
      expect(events[1]!.data).toMatchObject({ code: 'rate_limited', retryAfter: 9 });
    });

    it('times out a stream that goes silent, and closes the connection', async () => {
      const t = tag('hang');
      const started = Date.now();
      const { events } = await run(`[[tag:${t}]] [[hang:2]] one two three four`);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(textOf(events)).toBe('Reply to:');
      expect(events.at(-2)!.data).toMatchObject({ code: 'upstream_timeout' });
      await vi.waitFor(() => expect(records(t)[0]?.clientClosed).toBe(true));
    });

    it('times out an event that trickles in and never completes', async () => {
      const t = tag('trickle');
      const { events } = await run(`[[tag:${t}]] [[trickle:50]] hello`);
      expect(textOf(events)).toBe('Reply');
      expect(events.at(-2)!.data).toMatchObject({ code: 'upstream_timeout' });
      await vi.waitFor(() => expect(records(t)[0]?.clientClosed).toBe(true));
    });

    it('times out an upstream that does not answer in time', async () => {
      const started = Date.now();
      const { events } = await run('[[first-byte:2000]] hi');
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(events[1]!.data).toMatchObject({ code: 'upstream_timeout' });
    });

    it('closes the upstream connection when the reply is stopped', async () => {
      const t = tag('stop');
      const { store } = newStore();
      const reply = store.create('demo');
      store.attach(reply);
      const done = runReply(
        store,
        reply,
        [{ role: 'user', content: `[[tag:${t}]] [[tokens:2000]] [[delay:5]]` }],
        { maxDurationMs: 10_000 },
      );
      await vi.waitFor(() => expect(reply.lastEventId).toBeGreaterThan(3));
      expect(store.stop(reply.id)).toBe(true);
      await done;
      expect(replyEvents(reply).at(-1)!.data).toEqual({ finishReason: 'stopped' });
      await vi.waitFor(() => expect(records(t)[0]?.clientClosed).toBe(true));
      expect(records(t)[0]!.tokensSent).toBeLessThan(2000);
    });

    it('aborts the upstream when nobody follows the reply within the grace', async () => {
      const t = tag('abandoned');
      const { store, clock } = newStore();
      const reply = store.create('demo');
      const done = runReply(
        store,
        reply,
        [{ role: 'user', content: `[[tag:${t}]] [[tokens:2000]] [[delay:5]]` }],
        { maxDurationMs: 10_000 },
      );
      await vi.waitFor(() => expect(reply.lastEventId).toBeGreaterThan(3));
      clock.advance(GRACE);
      await done;
      expect(reply.finishReason).toBe('stopped');
      await vi.waitFor(() => expect(records(t)[0]?.clientClosed).toBe(true));
    });
  });
}

describe('the demo model on the Responses API', () => {
  it('answers without a key or a base URL', async () => {
    const runReply = await loadWith({ OPENAI_API: 'responses', DEMO_TOKEN_DELAY_MS: '0' });
    const { store } = newStore();
    const reply = store.create('demo');
    store.attach(reply);
    await runReply(store, reply, [{ role: 'user', content: 'Hello' }], { maxDurationMs: 10_000 });
    const events = replyEvents(reply);
    expect(textOf(events).length).toBeGreaterThan(10);
    expect(events.at(-1)!.data).toEqual({ finishReason: 'stop' });
    forgetUpstream();
  });
});

describe('OPENAI_API', () => {
  it('defaults to chat-completions and refuses anything but the two dialects, naming itself', async () => {
    const { loadEnv } = await import('@/lib/env');
    const api = (value?: string) =>
      loadEnv({ OPENAI_API: value } as unknown as NodeJS.ProcessEnv).OPENAI_API;
    expect(api(undefined)).toBe('chat-completions');
    expect(api('responses')).toBe('responses');
    expect(api('')).toBe('chat-completions');
    expect(() => api('completions')).toThrow(/OPENAI_API/);
  });
});
