import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseChatRequest, type Limits } from '@/lib/chat/request';
import { TEST_LIMITS } from './helpers';
import { ApiError } from '@/lib/http/api-error';

const LIMITS = TEST_LIMITS;
const URL_ = 'http://localhost/api/chat';

function post(
  body: BodyInit | null,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Request {
  return new Request(URL_, { method: 'POST', headers, body });
}

function postJson(value: unknown): Request {
  return post(JSON.stringify(value));
}

/** A body that arrives in pieces, with no content-length, as a chunked upload does. */
function streamedPost(chunks: Uint8Array[] | (() => Uint8Array), onCancel?: () => void): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (typeof chunks === 'function') controller.enqueue(chunks());
      else if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
    cancel() {
      onCancel?.();
    },
  });
  // `duplex` is required by fetch for stream bodies but missing from the DOM typings.
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  };
  return new Request(URL_, init);
}

async function failure(request: Request, limits = LIMITS): Promise<ApiError> {
  try {
    await parseChatRequest(request, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected parseChatRequest to fail');
}

const user = (content: string) => ({ role: 'user', content });

describe('parseChatRequest: accepted bodies', () => {
  it('parses a minimal body', async () => {
    await expect(parseChatRequest(postJson({ messages: [user('hi')] }), LIMITS)).resolves.toEqual({
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('parses a conversation with a model, and drops unknown fields', async () => {
    const body = {
      model: 'gpt-x',
      temperature: 2,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'q1', name: 'x' },
        { role: 'assistant', content: '' },
        user('q2 🚀 東京'),
      ],
    };
    await expect(parseChatRequest(postJson(body), LIMITS)).resolves.toEqual({
      model: 'gpt-x',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'q2 🚀 東京' },
      ],
    });
  });

  it('accepts application/json with parameters, in any case', async () => {
    for (const type of [
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json ;charset=UTF-8',
    ]) {
      const body = await parseChatRequest(
        post(JSON.stringify({ messages: [user('x')] }), { 'content-type': type }),
        LIMITS,
      );
      expect(body.messages).toHaveLength(1);
    }
  });

  it('accepts a streamed body without content-length', async () => {
    const text = JSON.stringify({ messages: [user('streamed é')] });
    const bytes = new TextEncoder().encode(text);
    // Split inside the two-byte é as well.
    const at = bytes.indexOf(0xc3) + 1;
    const body = await parseChatRequest(
      streamedPost([bytes.subarray(0, 5), bytes.subarray(5, at), bytes.subarray(at)]),
      LIMITS,
    );
    expect(body.messages[0]!.content).toBe('streamed é');
  });

  it('accepts a body of exactly maxBodyBytes and bounds that are exactly met', async () => {
    const limits: Limits = { ...LIMITS, maxMessages: 3, maxMessageChars: 10, maxTotalChars: 30 };
    const messages = [user('a'.repeat(10)), user('b'.repeat(10)), user('c'.repeat(10))];
    await expect(parseChatRequest(postJson({ messages }), limits)).resolves.toEqual({ messages });

    const base = JSON.stringify({ messages: [user('')] });
    const exact = JSON.stringify({
      messages: [user('x'.repeat(LIMITS.maxBodyBytes - base.length))],
    });
    expect(exact.length).toBe(LIMITS.maxBodyBytes);
    await expect(
      parseChatRequest(post(exact), { ...LIMITS, maxMessageChars: 1e6, maxTotalChars: 1e6 }),
    ).resolves.toBeDefined();
  });
});

describe('parseChatRequest: refused bodies', () => {
  it('answers 415 for a missing or wrong content type', async () => {
    // Bytes, not a string: a string body would get a default text/plain type.
    const body = new TextEncoder().encode(JSON.stringify({ messages: [user('x')] }));
    expect(post(body, {}).headers.get('content-type')).toBeNull();
    const cases: Record<string, string>[] = [
      {},
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/jsonp' },
      { 'content-type': 'multipart/form-data' },
    ];
    for (const headers of cases) {
      const error = await failure(post(body, headers));
      expect(error.status).toBe(415);
      expect(error.code).toBe('unsupported_media_type');
    }
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    for (const text of ['', '{', '{"messages": [}', 'messages=hi', "{'a': 1}"]) {
      const error = await failure(post(text));
      expect([error.status, error.code]).toEqual([400, 'invalid_json']);
    }
  });

  it('answers 400 invalid_body for a body that is not UTF-8', async () => {
    const error = await failure(post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
    expect([error.status, error.code]).toEqual([400, 'invalid_body']);
  });

  it.each([
    ['no messages', {}],
    ['messages not an array', { messages: 'hi' }],
    ['empty messages', { messages: [] }],
    [
      'last message not from the user',
      { messages: [user('q'), { role: 'assistant', content: 'a' }] },
    ],
    ['unknown role', { messages: [{ role: 'tool', content: 'x' }] }],
    ['non-string content', { messages: [{ role: 'user', content: 42 }] }],
    ['missing content', { messages: [{ role: 'user' }] }],
    ['a message that is not an object', { messages: [null] }],
    ['a non-string model', { messages: [user('x')], model: 5 }],
    ['an empty model', { messages: [user('x')], model: '' }],
    ['a body that is not an object', [user('x')]],
    ['null', null],
  ])('answers 422 for %s', async (_name, body) => {
    const error = await failure(postJson(body));
    expect(error.status).toBe(422);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^Invalid request: /);
  });

  it('answers 413 from the content-length header alone, without reading the body', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1000).fill(0x20));
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(LIMITS.maxBodyBytes + 1),
      },
      body,
      duplex: 'half',
    };
    const error = await failure(new Request(URL_, init));
    expect([error.status, error.code]).toEqual([413, 'body_too_large']);
    // The stream fills its one-chunk queue by itself; reading it would take five more chunks.
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it('answers 413 for a streamed body past maxBodyBytes, and stops reading it', async () => {
    let cancelled = false;
    let sent = 0;
    const error = await failure(
      streamedPost(
        () => {
          sent += 1000;
          return new Uint8Array(1000).fill(0x20);
        },
        () => (cancelled = true),
      ),
    );
    expect([error.status, error.code]).toEqual([413, 'body_too_large']);
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThanOrEqual(LIMITS.maxBodyBytes + 2000);
  });

  it('answers 413 for a body one byte over the limit with a correct content-length', async () => {
    const base = JSON.stringify({ messages: [user('')] });
    const text = JSON.stringify({
      messages: [user('x'.repeat(LIMITS.maxBodyBytes - base.length + 1))],
    });
    const request = post(text, {
      'content-type': 'application/json',
      'content-length': String(text.length),
    });
    const error = await failure(request, { ...LIMITS, maxMessageChars: 1e6, maxTotalChars: 1e6 });
    expect([error.status, error.code]).toEqual([413, 'body_too_large']);
  });

  it('answers 413 too_many_messages', async () => {
    const messages = Array.from({ length: LIMITS.maxMessages + 1 }, () => user('x'));
    const error = await failure(postJson({ messages }));
    expect([error.status, error.code]).toEqual([413, 'too_many_messages']);
  });

  it('answers 413 message_too_long, naming the message', async () => {
    const error = await failure(
      postJson({ messages: [user('ok'), user('x'.repeat(LIMITS.maxMessageChars + 1))] }),
    );
    expect([error.status, error.code]).toEqual([413, 'message_too_long']);
    expect(error.message).toContain('Message 2');
  });

  it('answers 413 conversation_too_long', async () => {
    const messages = [user('a'.repeat(100)), user('b'.repeat(100)), user('c'.repeat(51))];
    const error = await failure(postJson({ messages }));
    expect([error.status, error.code]).toEqual([413, 'conversation_too_long']);
  });

  it('renders as the JSON error shape', async () => {
    const error = await failure(post('{'));
    const response = error.toResponse();
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'invalid_json', message: error.message },
    });
  });
});

describe('parseChatRequest: any JSON body', () => {
  const role = fc.oneof(
    fc.constantFrom('system', 'user', 'assistant'),
    fc.string({ maxLength: 10 }),
  );
  const message = fc.oneof(
    fc.record(
      { role, content: fc.oneof(fc.string({ maxLength: 120 }), fc.jsonValue({ maxDepth: 1 })) },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        messages: fc.oneof(fc.array(message, { maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })),
        model: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 1 })),
      },
      { requiredKeys: [] },
    ),
  );

  it('either returns a valid body or throws an ApiError with a 4xx status', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        let result;
        try {
          result = await parseChatRequest(postJson(value), LIMITS);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          const { status } = error as ApiError;
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
          return;
        }
        expect(result.messages.length).toBeGreaterThan(0);
        expect(result.messages.length).toBeLessThanOrEqual(LIMITS.maxMessages);
        expect(result.messages.at(-1)!.role).toBe('user');
        let total = 0;
        for (const m of result.messages) {
          expect(['system', 'user', 'assistant']).toContain(m.role);
          expect(typeof m.content).toBe('string');
          expect(m.content.length).toBeLessThanOrEqual(LIMITS.maxMessageChars);
          total += m.content.length;
        }
        expect(total).toBeLessThanOrEqual(LIMITS.maxTotalChars);
      }),
      { numRuns: 400 },
    );
  });
});

describe('content parts and images', () => {
  const png = (bytes: number) =>
    `data:image/png;base64,${Buffer.alloc(bytes, 7).toString('base64')}`;
  const image = (url: string) => ({ type: 'image_url', image_url: { url } });
  const user = (content: unknown) => ({ messages: [{ role: 'user', content }] });

  it('accepts text and image parts, and keeps them as they are', async () => {
    const content = [{ type: 'text', text: 'What is this?' }, image(png(600))];
    const body = await parseChatRequest(postJson(user(content)), LIMITS);
    expect(body.messages[0]!.content).toEqual(content);
    const https = [image('https://example.com/cat.png')];
    expect((await parseChatRequest(postJson(user(https)), LIMITS)).messages[0]!.content).toEqual(
      https,
    );
  });

  it('a string content still works', async () => {
    const body = await parseChatRequest(postJson(user('plain')), LIMITS);
    expect(body.messages[0]!.content).toBe('plain');
  });

  it('refuses images outside user messages, unknown parts and URLs that are not images', async () => {
    for (const bad of [
      {
        messages: [
          { role: 'system', content: [image(png(10))] },
          { role: 'user', content: 'x' },
        ],
      },
      user([{ type: 'audio', data: 'x' }]),
      user([image('http://example.com/a.png')]),
      user([image('file:///etc/passwd')]),
      user([image('data:text/html;base64,PHA+')]),
      user([]),
    ]) {
      expect((await failure(postJson(bad))).code).toBe('invalid_request');
    }
  });

  it('each bound on images answers its own 413 code', async () => {
    expect((await failure(postJson(user([image(png(1001))])))).code).toBe('image_too_large');
    const three = [image(png(10)), image(png(10)), image(png(10))];
    expect((await failure(postJson(user(three)))).code).toBe('too_many_images');
    const two = [image(png(10)), image(png(10))];
    const across = {
      messages: [
        { role: 'user', content: two },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: two },
      ],
    };
    const error = await failure(postJson(across));
    expect([error.code, error.status]).toEqual(['too_many_images', 413]);
  });

  it('a body with images may be larger than a text-only one, up to its own limit', async () => {
    const content = [image(png(900)), image(png(900)), { type: 'text', text: 'x'.repeat(50) }];
    // About 2.5 KB: under the image body limit, over nothing else.
    expect(
      (await parseChatRequest(postJson(user(content)), { ...LIMITS, maxBodyBytes: 1024 })).messages,
    ).toHaveLength(1);
    // Text alone over the text-only limit is still refused.
    const text = {
      messages: [
        { role: 'user', content: 'x'.repeat(90) },
        { role: 'assistant', content: 'y'.repeat(90) },
        { role: 'user', content: 'z' },
      ],
    };
    expect((await failure(postJson(text), { ...LIMITS, maxBodyBytes: 200 })).code).toBe(
      'body_too_large',
    );
    // And an image body over its own limit is refused while reading.
    const big = [image(png(1000)), image(png(1000))];
    expect(
      (
        await failure(postJson(user(big)), {
          ...LIMITS,
          maxBodyBytes: 1024,
          maxImageBodyBytes: 2048,
        })
      ).code,
    ).toBe('body_too_large');
  });
});
