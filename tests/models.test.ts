/**
 * lib/llm/models.ts with the real `openai` SDK against a small fake upstream: what is offered
 * and accepted with and without OPENAI_MODELS, what is known of each model, and the fallback when
 * the upstream lists nothing. The env is set before the modules that read it are imported.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  vi,
  type MockInstance,
} from 'vitest';

const KEYS = [Symbol.for('streamchat.upstream'), Symbol.for('streamchat.models')];
const ENV_KEYS = [
  'OPENAI_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_MODEL',
  'OPENAI_MODELS',
  'VISION_MODELS',
  'MODEL_CONTEXT_TOKENS',
  'UPSTREAM_TIMEOUT_MS',
] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

/** What the fake upstream answers to GET /v1/models. */
let answer: (res: http.ServerResponse) => void;
let listings = 0;
let server: http.Server;
let baseURL: string;
let consoleLog: MockInstance<typeof console.log>;

const LIST = {
  object: 'list',
  data: [
    { id: 'local-small', object: 'model', context_length: 8192 },
    { id: 'local-vision', object: 'model', context_length: 32768, capabilities: ['vision'] },
    { id: 'llama3.1:8b', object: 'model' },
    { id: 'nomic-embed-text', object: 'model' },
  ],
};

const json =
  (body: unknown, status = 200) =>
  (res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/v1/models') {
      listings++;
      answer(res);
    } else json({ error: { message: 'Not found' } }, 404)(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  consoleLog = vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterEach(() => {
  for (const key of KEYS) delete (globalThis as Record<symbol, unknown>)[key];
});

afterAll(async () => {
  consoleLog.mockRestore();
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function loadWith(env: Partial<Record<(typeof ENV_KEYS)[number], string>>) {
  for (const k of ENV_KEYS) delete process.env[k];
  Object.assign(process.env, { OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'sk-test' }, env);
  for (const key of KEYS) delete (globalThis as Record<symbol, unknown>)[key];
  listings = 0;
  vi.resetModules();
  return import('@/lib/llm/models');
}

describe('without OPENAI_MODELS: the upstream list', () => {
  it('offers its chat models, the default first, with what is known of each', async () => {
    answer = json(LIST);
    const models = await loadWith({
      OPENAI_MODEL: 'local-vision',
      MODEL_CONTEXT_TOKENS: 'local-vision=16384',
    });
    expect(await models.listModels()).toEqual({
      models: [
        // Configured beats reported; reported vision beats the name.
        { id: 'local-vision', vision: true, contextTokens: 16384 },
        { id: 'local-small', vision: false, contextTokens: 8192 },
        // Nothing reported: the well-known name.
        { id: 'llama3.1:8b', vision: false, contextTokens: 131072 },
      ],
      default: 'local-vision',
    });
    expect(listings).toBe(1);
    expect(await models.resolveModel('llama3.1:8b')).toBe('llama3.1:8b');
    expect(await models.resolveModel(undefined)).toBe('local-vision');
    expect(await models.resolveModel('nomic-embed-text')).toBeUndefined();
    expect(await models.resolveModel('gpt-nope')).toBeUndefined();
    expect(await models.contextTokensOf('local-small')).toBe(8192);
    expect(await models.contextTokensOf('local-vision')).toBe(16384);
    expect(await models.contextTokensOf('llama3.1:8b')).toBe(131072);
    expect(await models.contextTokensOf('gpt-4o')).toBe(128000);
    expect(await models.contextTokensOf('unknown')).toBeUndefined();
    // All of that from one listing.
    expect(listings).toBe(1);
  });

  it('VISION_MODELS still decides', async () => {
    answer = json(LIST);
    const models = await loadWith({ OPENAI_MODEL: 'local-small', VISION_MODELS: 'local-small' });
    const { models: list } = await models.listModels();
    expect(list.map((m) => [m.id, m.vision])).toEqual([
      ['local-small', true],
      ['local-vision', false],
      ['llama3.1:8b', false],
    ]);
  });

  it('a default model the upstream does not list is still offered first', async () => {
    answer = json(LIST);
    const models = await loadWith({ OPENAI_MODEL: 'configured' });
    const { models: list, default: fallback } = await models.listModels();
    expect(fallback).toBe('configured');
    expect(list.map((m) => m.id)).toEqual([
      'configured',
      'local-small',
      'local-vision',
      'llama3.1:8b',
    ]);
    expect(await models.resolveModel('configured')).toBe('configured');
  });

  it('without OPENAI_MODEL, the first model listed is the default', async () => {
    answer = json(LIST);
    const models = await loadWith({});
    expect((await models.listModels()).default).toBe('local-small');
    expect(await models.resolveModel(undefined)).toBe('local-small');
    expect(await models.resolveModel('gpt-4o-mini')).toBeUndefined();
  });

  it.each([
    ['a 404 (no model list)', json({ error: { message: 'Not found' } }, 404)],
    ['a 500', json({ error: { message: 'boom' } }, 500)],
    ['a body that is not JSON', (res: http.ServerResponse) => res.end('<html>')],
    ['no data', json({ object: 'list' })],
    ['only models that do not chat', json({ data: [{ id: 'text-embedding-3-small' }] })],
  ])('falls back to the default model on %s', async (_, reply) => {
    answer = reply;
    const models = await loadWith({ OPENAI_MODEL: 'my-model' });
    expect(await models.listModels()).toEqual({
      models: [{ id: 'my-model', vision: false }],
      default: 'my-model',
    });
    expect(await models.resolveModel('my-model')).toBe('my-model');
    expect(await models.resolveModel('other')).toBeUndefined();
  });

  it('falls back within the timeout when the upstream does not answer', async () => {
    answer = () => {}; // never answers
    const models = await loadWith({ OPENAI_MODEL: 'gpt-4o', UPSTREAM_TIMEOUT_MS: '300' });
    const started = Date.now();
    expect(await models.listModels()).toEqual({
      models: [{ id: 'gpt-4o', vision: true, contextTokens: 128000 }],
      default: 'gpt-4o',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    // The configured default never waits for a listing.
    expect(await models.resolveModel(undefined)).toBe('gpt-4o');
  });

  it('falls back when the upstream is not there at all', async () => {
    const models = await loadWith({
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      OPENAI_MODEL: 'my-model',
    });
    expect((await models.listModels()).models.map((m) => m.id)).toEqual(['my-model']);
  });
});

describe('with OPENAI_MODELS: the allow-list, no listing', () => {
  it('offers and accepts exactly those, the upstream never asked', async () => {
    answer = json(LIST);
    const models = await loadWith({
      OPENAI_MODEL: 'b',
      OPENAI_MODELS: 'a,gpt-4o,b',
      MODEL_CONTEXT_TOKENS: 'a=4096',
    });
    expect(await models.listModels()).toEqual({
      models: [
        { id: 'b', vision: false },
        { id: 'a', vision: false, contextTokens: 4096 },
        { id: 'gpt-4o', vision: true, contextTokens: 128000 },
      ],
      default: 'b',
    });
    expect(await models.resolveModel('a')).toBe('a');
    expect(await models.resolveModel(undefined)).toBe('b');
    expect(await models.resolveModel('local-small')).toBeUndefined();
    expect(await models.contextTokensOf('local-small')).toBeUndefined();
    expect(listings).toBe(0);
  });
});
