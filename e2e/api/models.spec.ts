/**
 * Models found on the server: without OPENAI_MODELS, /api/models lists what the upstream's
 * GET /v1/models offers (DISCOVERY, against a simulator that lists four models, one of which is
 * an embedding model), each with its context window and whether it sees images; POST accepts
 * those and refuses others. With OPENAI_MODELS set (APP), that list alone, as before.
 */
import { expect, test } from '@playwright/test';
import { APP, followWithEventSource, readSse, text, uniqueTag } from '../support/api';

const DISCOVERY = () => process.env.DISCOVERY_URL!;
const LISTING_SIM = () => process.env.MODELS_SIMULATOR_URL!;

interface Models {
  models: { id: string; vision?: boolean; contextTokens?: number }[];
  default: string;
  demo: boolean;
}

async function models(base: string): Promise<Models> {
  const res = await fetch(`${base}/api/models`);
  expect(res.status).toBe(200);
  return (await res.json()) as Models;
}

function post(base: string, content: string, model?: string, accept?: string) {
  return fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(accept && { Accept: accept }) },
    body: JSON.stringify({ messages: [{ role: 'user', content }], ...(model && { model }) }),
  });
}

/** The models the listing simulator was asked for, by tag. */
async function upstreamModels(tag: string): Promise<string[]> {
  const res = await fetch(`${LISTING_SIM()}/_stats`);
  const { requests } = (await res.json()) as { requests: { tag?: string; model: string }[] };
  return requests.filter((r) => r.tag === tag).map((r) => r.model);
}

test.describe('without OPENAI_MODELS', () => {
  test("/api/models lists the upstream's chat models with their context windows and vision", async () => {
    expect(await models(DISCOVERY())).toEqual({
      models: [
        // No OPENAI_MODEL: the first model listed is the default.
        { id: 'local-small', vision: false, contextTokens: 8192 },
        // Reported vision; MODEL_CONTEXT_TOKENS (16384) over the reported 32768.
        { id: 'local-vision', vision: true, contextTokens: 16384 },
        // Nothing reported: known by its name (Llama 3.1, 128K).
        { id: 'llama3.1:8b', vision: false, contextTokens: 131072 },
        // nomic-embed-text does not chat: not offered.
      ],
      default: 'local-small',
      demo: false,
    });
  });

  test('a reply on a listed model streams (POST, then follow)', async () => {
    const tag = uniqueTag('listed');
    const res = await post(
      DISCOVERY(),
      `[[tag:${tag}]] [[delay:0]] [[echo]] on llama`,
      'llama3.1:8b',
    );
    expect(res.status).toBe(201);
    const { streamUrl } = (await res.json()) as { streamUrl: string };
    const { events } = await followWithEventSource(`${DISCOVERY()}${streamUrl}`);
    expect(events[0]).toMatchObject({ event: 'meta', data: { model: 'llama3.1:8b' } });
    expect(text(events)).toBe('on llama');
    expect(events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stop' } });
    expect(await upstreamModels(tag)).toEqual(['llama3.1:8b']);
  });

  test('one-request mode on another listed model, and the default without a model', async () => {
    const tag = uniqueTag('listed-one');
    const one = await readSse(`${DISCOVERY()}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({
        messages: [{ role: 'user', content: `[[tag:${tag}]] [[delay:0]] [[echo]] seen` }],
        model: 'local-vision',
      }),
    });
    expect(one.status).toBe(200);
    expect(text(one.events)).toBe('seen');
    const plain = await post(
      DISCOVERY(),
      `[[tag:${tag}]] [[delay:0]] x`,
      undefined,
      'text/event-stream',
    );
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain('"model":"local-small"');
    expect(await upstreamModels(tag)).toEqual(['local-vision', 'local-small']);
  });

  test('a model the upstream does not list is a 400, as is one that does not chat', async () => {
    for (const model of ['gpt-nope', 'nomic-embed-text', 'test-model', 'LOCAL-SMALL']) {
      const res = await post(DISCOVERY(), 'x', model);
      expect(res.status, model).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'unknown_model' } });
    }
  });
});

test('with OPENAI_MODELS set, only those', async () => {
  const body = await models(APP());
  expect(body.models.map((m) => m.id)).toEqual([
    'test-model',
    'other-model',
    'meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context',
  ]);
  // Known by name where the name is known (Llama 3.3: 128K); VISION_MODELS decides vision.
  expect(body.models).toEqual([
    { id: 'test-model', vision: true },
    { id: 'other-model', vision: false },
    {
      id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context',
      vision: false,
      contextTokens: 131072,
    },
  ]);
  // The test server lists only `demo`; it is not offered here, and not accepted.
  const res = await post(APP(), 'x', 'demo');
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: { code: 'unknown_model' } });
});
