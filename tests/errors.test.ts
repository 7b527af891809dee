/**
 * toErrorData against real failures: the real `openai` SDK talking to the real simulator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { createSimulator } from '@/lib/simulator/server';
import { ERROR_MESSAGES, toErrorData, UpstreamFault } from '@/lib/llm/errors';
import type { ErrorData } from '@/lib/chat/protocol';

const API_KEY = 'sk-test-simulator-secret-0123456789';
const WRONG_KEY = 'sk-test-wrong-key-9876543210';
/** Raw upstream texts that must never reach a person. */
const UPSTREAM_TEXTS = [
  'Incorrect API key provided',
  'Rate limit reached',
  'You are not allowed',
  'The model does not exist',
  'overloaded',
  'Bad gateway',
  'internal error',
  'oops',
  'image_url',
  'Invalid content type',
];

let sim: ReturnType<typeof createSimulator>;
let baseURL: string;
let client: OpenAI;

beforeAll(async () => {
  sim = createSimulator({ faults: true, tokenDelayMs: 0, firstTokenDelayMs: 0, apiKey: API_KEY });
  baseURL = await sim.listen(0);
  client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0, logLevel: 'off' });
});

afterAll(async () => {
  await sim.close();
});

/** Streams one completion to the end and returns what it threw. */
async function failureOf(
  content: string,
  options: { client?: OpenAI; timeout?: number; signal?: AbortSignal } = {},
) {
  const c = options.client ?? client;
  try {
    const stream = await c.chat.completions.create(
      { model: 'demo', messages: [{ role: 'user', content }], stream: true },
      {
        ...(options.timeout !== undefined && { timeout: options.timeout }),
        ...(options.signal && { signal: options.signal }),
      },
    );
    for await (const chunk of stream) void chunk;
  } catch (error) {
    return error;
  }
  throw new Error(`expected "${content}" to fail`);
}

function expectSafe(data: ErrorData): void {
  expect(data.message).not.toContain(API_KEY);
  expect(data.message).not.toContain(WRONG_KEY);
  expect(data.message).not.toMatch(/sk-/);
  for (const text of UPSTREAM_TEXTS) expect(data.message).not.toContain(text);
  expect(data.message.length).toBeGreaterThan(10);
}

describe('toErrorData with the real SDK and simulator', () => {
  it('maps 401 to upstream_auth, not retryable', async () => {
    const wrong = new OpenAI({ baseURL, apiKey: WRONG_KEY, maxRetries: 0, logLevel: 'off' });
    const error = await failureOf('hello', { client: wrong });
    expect(error).toBeInstanceOf(APIError);
    // The raw error does carry the upstream text: the mapping is what keeps it out.
    expect(String((error as Error).message)).toContain('Incorrect API key provided');
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'upstream_auth',
      message: ERROR_MESSAGES.upstream_auth,
      retryable: false,
    });
    expectSafe(data);
  });

  it.each([
    [403, 'upstream_forbidden', false],
    [404, 'model_not_found', false],
    [400, 'upstream_bad_request', false],
    [500, 'upstream_unavailable', true],
    [502, 'upstream_unavailable', true],
    [503, 'upstream_unavailable', true],
  ] as const)('maps HTTP %i to %s', async (status, code, retryable) => {
    const error = await failureOf(`[[status:${status}]] hi`);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(status);
    const data = toErrorData(error);
    expect(data).toEqual({ code, message: ERROR_MESSAGES[code], retryable });
    expectSafe(data);
  });

  it('maps 429 with Retry-After to rate_limited with retryAfter', async () => {
    const error = await failureOf('[[status:429]] [[retry-after:7]] hi');
    expect(String((error as Error).message)).toContain('Rate limit reached');
    const data = toErrorData(error);
    expect(data).toMatchObject({ code: 'rate_limited', retryable: true, retryAfter: 7 });
    expect(data.message).toContain('7 s');
    expectSafe(data);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const when = new Date(Date.now() + 30_000).toUTCString();
    const data = toErrorData(await failureOf(`[[status:429]] [[retry-after:${when}]] hi`));
    expect(data.code).toBe('rate_limited');
    expect(data.retryAfter).toBeGreaterThanOrEqual(28);
    expect(data.retryAfter).toBeLessThanOrEqual(31);
  });

  it('maps 429 without Retry-After to rate_limited without retryAfter', async () => {
    const data = toErrorData(await failureOf('[[status:429]] hi'));
    expect(data).toEqual({
      code: 'rate_limited',
      message: ERROR_MESSAGES.rate_limited,
      retryable: true,
    });
    expectSafe(data);
  });

  it('maps a refused connection to upstream_unreachable', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const closed = new OpenAI({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: API_KEY,
      maxRetries: 0,
      logLevel: 'off',
    });
    const error = await failureOf('hi', { client: closed });
    expect(error).toBeInstanceOf(APIConnectionError);
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'upstream_unreachable',
      message: ERROR_MESSAGES.upstream_unreachable,
      retryable: true,
    });
    expectSafe(data);
  });

  it('maps a response that does not start in time to upstream_timeout', async () => {
    const error = await failureOf('[[first-byte:2000]] hi', { timeout: 100 });
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(toErrorData(error)).toMatchObject({ code: 'upstream_timeout', retryable: true });
  });

  it('maps a connection cut mid-stream (a raw TypeError) to upstream_interrupted', async () => {
    const error = await failureOf('[[cut:3]] one two three four five six');
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(APIError);
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'upstream_interrupted',
      message: ERROR_MESSAGES.upstream_interrupted,
      retryable: true,
    });
    expectSafe(data);
  });

  it('maps an error object inside the stream to upstream_error', async () => {
    const error = await failureOf('[[error-mid:2]] one two three four');
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBeUndefined();
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'upstream_error',
      message: ERROR_MESSAGES.upstream_error,
      retryable: true,
    });
    expectSafe(data);
  });

  it('maps a malformed chunk to bad_upstream_response', async () => {
    const error = await failureOf('[[malformed:2]] one two three four');
    expect(error).toBeInstanceOf(SyntaxError);
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'bad_upstream_response',
      message: ERROR_MESSAGES.bad_upstream_response,
      retryable: true,
    });
    expectSafe(data);
  });

  it("maps OpenAI's refusal of an image (the simulator's [[refuse-images]]) to image_not_supported", async () => {
    const image = { type: 'image_url' as const, image_url: { url: 'https://example.com/a.png' } };
    let error: unknown;
    try {
      await client.chat.completions.create({
        model: 'demo',
        messages: [
          { role: 'user', content: [{ type: 'text', text: '[[refuse-images]] hi' }, image] },
        ],
        stream: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect(String((error as Error).message)).toContain('image_url is only supported');
    const data = toErrorData(error);
    expect(data).toEqual({
      code: 'image_not_supported',
      message: ERROR_MESSAGES.image_not_supported,
      retryable: false,
    });
    expectSafe(data);
    // Without an image the same directive is answered.
    const answered = await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: '[[refuse-images]] hi' }],
    });
    expect(answered.choices[0]?.message.content).toBe('Reply to: hi');
  });

  it('maps an aborted request to upstream_interrupted', async () => {
    const error = await failureOf('hi', { signal: AbortSignal.abort() });
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(toErrorData(error).code).toBe('upstream_interrupted');
  });
});

describe('toErrorData without a network', () => {
  it('maps our own watchdog faults by their code', () => {
    expect(toErrorData(new UpstreamFault('upstream_timeout'))).toMatchObject({
      code: 'upstream_timeout',
      retryable: true,
    });
    expect(toErrorData(new UpstreamFault('upstream_interrupted'))).toMatchObject({
      code: 'upstream_interrupted',
      retryable: true,
    });
    expect(toErrorData(new UpstreamFault('reply_timeout'))).toMatchObject({
      code: 'reply_timeout',
      retryable: false,
    });
  });

  it('maps 408 to upstream_timeout and other 4xx to upstream_bad_request', () => {
    const make = (status: number) =>
      APIError.generate(status, { message: 'raw' }, undefined, new Headers());
    expect(toErrorData(make(408)).code).toBe('upstream_timeout');
    expect(toErrorData(make(422))).toMatchObject({
      code: 'upstream_bad_request',
      retryable: false,
    });
  });

  const refusal = (status: number, body: unknown) =>
    toErrorData(APIError.generate(status, body as object, undefined, new Headers()));

  it.each([
    'Invalid content type. image_url is only supported by certain models.',
    'The model `gpt-3.5-turbo` does not support image input.',
    'Qwen/Qwen2.5-7B-Instruct is not a multimodal model',
    'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj',
    'Vision is not supported by this model.',
    'this model is missing data required for image input',
    'MODEL DOES NOT SUPPORT IMAGES',
  ])('recognises a refused image: %s', (message) => {
    for (const status of [400, 422]) {
      const data = refusal(status, { error: { message, type: 'invalid_request_error' } });
      expect(data).toEqual({
        code: 'image_not_supported',
        message: ERROR_MESSAGES.image_not_supported,
        retryable: false,
      });
      expect(data.message).not.toContain(message);
    }
  });

  it.each([
    [
      400,
      {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
          code: 'context_length_exceeded',
        },
      },
    ],
    [
      400,
      { error: { message: 'the request exceeds the available context size, try increasing it' } },
    ],
    [413, { error: { message: 'prompt is too long: 210000 tokens > 200000 maximum' } }],
    [
      422,
      {
        error: { message: 'Trying to keep the first 9000 tokens when context window is too small' },
      },
    ],
  ])(
    'an upstream %i that says the conversation does not fit is context_too_long',
    (status, body) => {
      const data = refusal(status, body);
      expect(data).toEqual({
        code: 'context_too_long',
        message: ERROR_MESSAGES.context_too_long,
        retryable: false,
      });
    },
  );

  it('an error inside the stream that says so is context_too_long too; a 500 is not', () => {
    // As the stream reader makes it from an error object inside the stream.
    const inStream = new APIError(
      undefined,
      {
        message: 'Your input exceeds the context window of this model.',
        code: 'context_length_exceeded',
      },
      undefined,
      new Headers(),
    );
    expect(toErrorData(inStream).code).toBe('context_too_long');
    expect(refusal(500, { error: { message: 'maximum context length exceeded' } }).code).toBe(
      'upstream_unavailable',
    );
  });

  it('finds the refusal anywhere in the error body, or in a body that is a bare string', () => {
    const detail = { error: { message: 'Bad request', detail: 'Image input is not supported.' } };
    expect(refusal(400, detail).code).toBe('image_not_supported');
    expect(refusal(400, { error: 'llava: vision is not supported' }).code).toBe(
      'image_not_supported',
    );
    const cyclic: Record<string, unknown> = { message: 'Bad request' };
    cyclic.self = cyclic;
    expect(refusal(400, { error: cyclic }).code).toBe('upstream_bad_request');
  });

  it('keeps other 4xx about images, and refusals with another status, as they were', () => {
    const say = (message: string) => ({ error: { message } });
    expect(refusal(400, say('Image too large: max 20MB')).code).toBe('upstream_bad_request');
    expect(refusal(400, say('Invalid image_url: could not download')).code).toBe(
      'upstream_bad_request',
    );
    expect(refusal(400, say("This model's maximum context length is 8192 tokens")).code).toBe(
      'context_too_long',
    );
    expect(refusal(400, {}).code).toBe('upstream_bad_request');
    const words = say('image input is not supported');
    expect(refusal(404, words).code).toBe('model_not_found');
    expect(refusal(500, words).code).toBe('upstream_unavailable');
    expect(refusal(403, words).code).toBe('upstream_forbidden');
  });

  it('maps anything else to internal_error, with no detail of the error', () => {
    const data = toErrorData(new Error(`boom ${API_KEY}`));
    expect(data).toEqual({
      code: 'internal_error',
      message: ERROR_MESSAGES.internal_error,
      retryable: true,
    });
    expect(toErrorData('a string').code).toBe('internal_error');
    expect(toErrorData(undefined).code).toBe('internal_error');
  });

  it('ignores a Retry-After of zero or garbage', () => {
    for (const value of ['0', 'soon', '']) {
      const headers = new Headers(value ? { 'retry-after': value } : {});
      const data = toErrorData(APIError.generate(429, { message: 'raw' }, undefined, headers));
      expect(data.code).toBe('rate_limited');
      expect(data.retryAfter).toBeUndefined();
    }
  });
});
