import { expect, test } from '@playwright/test';
import { APP, oneRequest, text } from '../support/api';

const json = 'application/json';
const CASES: {
  name: string;
  body: string | Uint8Array<ArrayBuffer>;
  type?: string;
  status: number;
  code: string;
}[] = [
  {
    name: 'wrong media type',
    body: '{}',
    type: 'text/plain',
    status: 415,
    code: 'unsupported_media_type',
  },
  { name: 'no content type', body: '{}', type: '', status: 415, code: 'unsupported_media_type' },
  { name: 'invalid JSON', body: '{"messages": [', status: 400, code: 'invalid_json' },
  { name: 'empty body', body: '', status: 400, code: 'invalid_json' },
  {
    name: 'not UTF-8',
    body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    status: 400,
    code: 'invalid_body',
  },
  { name: 'JSON array', body: '[]', status: 422, code: 'invalid_request' },
  { name: 'no messages', body: '{}', status: 422, code: 'invalid_request' },
  { name: 'empty messages', body: '{"messages":[]}', status: 422, code: 'invalid_request' },
  {
    name: 'bad role',
    body: '{"messages":[{"role":"tool","content":"x"}]}',
    status: 422,
    code: 'invalid_request',
  },
  {
    name: 'content not text',
    body: '{"messages":[{"role":"user","content":5}]}',
    status: 422,
    code: 'invalid_request',
  },
  {
    name: 'last message not from the user',
    body: '{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}',
    status: 422,
    code: 'invalid_request',
  },
  {
    name: 'unknown model',
    body: '{"messages":[{"role":"user","content":"a"}],"model":"gpt-nope"}',
    status: 400,
    code: 'unknown_model',
  },
  {
    name: 'body too large',
    body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }),
    status: 413,
    code: 'body_too_large',
  },
  {
    name: 'too many messages',
    body: JSON.stringify({
      messages: Array.from({ length: 51 }, () => ({ role: 'user', content: 'hi' })),
    }),
    status: 413,
    code: 'too_many_messages',
  },
  {
    name: 'message too long',
    body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(20_001) }] }),
    status: 413,
    code: 'message_too_long',
  },
  {
    name: 'conversation too long',
    body: JSON.stringify({
      messages: Array.from({ length: 3 }, () => ({ role: 'user', content: 'x'.repeat(15_000) })),
    }),
    status: 413,
    code: 'conversation_too_long',
  },
];

test.describe('bad input gets the JSON error shape and loses nothing', () => {
  for (const c of CASES) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = {};
      if (c.type !== '') headers['Content-Type'] = c.type ?? json;
      const res = await fetch(`${APP()}/api/chat`, { method: 'POST', headers, body: c.body });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await res.json();
      expect(body).toEqual({ error: { code: c.code, message: expect.any(String) } });
      expect(body.error.message.length).toBeGreaterThan(10);
    });
  }

  test('a body over the limit without Content-Length is refused while it streams', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 10 MB; the server must answer long before this ends.
        if (sent > 10_000_000) return controller.close();
        sent += 65_536;
        controller.enqueue(new Uint8Array(65_536).fill(0x20));
      },
    });
    const res = await fetch(`${APP()}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': json },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(10_000_000);
  });

  test('the server serves the next good request', async () => {
    const ok = await oneRequest('[[delay:0]] still here');
    expect(text(ok.events)).toBe('Reply to: still here');
  });

  test('GET /api/models lists what POST accepts', async () => {
    const res = await fetch(`${APP()}/api/models`);
    const body = await res.json();
    expect(body).toMatchObject({
      models: [
        { id: 'test-model' },
        { id: 'other-model' },
        { id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo-long-context' },
      ],
      default: 'test-model',
    });
    const other = await fetch(`${APP()}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': json, Accept: 'text/event-stream' },
      body: JSON.stringify({
        messages: [{ role: 'user', content: '[[delay:0]] x' }],
        model: 'other-model',
      }),
    });
    expect(other.status).toBe(200);
    expect(await other.text()).toContain('"model":"other-model"');
  });
});
