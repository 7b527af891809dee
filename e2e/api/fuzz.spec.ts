import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { APP, oneRequest, text } from '../support/api';

/**
 * Generated bodies, headers, ids and query strings against the running server: never a 5xx,
 * always the JSON error shape for a refusal, and the next good request is served.
 */
const anyJson = fc.jsonValue({ maxDepth: 4 });
const almostValid = fc.record(
  {
    messages: fc.oneof(
      fc.array(
        fc.record(
          {
            role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool', ''), fc.string()),
            content: fc.oneof(
              fc.string({ unit: 'binary', maxLength: 200 }),
              fc.integer(),
              fc.constant(null),
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 60 },
      ),
      anyJson,
    ),
    model: fc.oneof(
      fc.constantFrom('test-model', 'other-model', ''),
      fc.string({ maxLength: 300 }),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
const bodyText = fc.oneof(
  anyJson.map((v) => JSON.stringify(v)),
  almostValid.map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 500 }),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
);

async function expectClean(res: Response, allowed: number[]) {
  expect(res.status).toBeLessThan(500);
  if (!allowed.includes(res.status)) {
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  } else {
    await res.body?.cancel();
  }
}

test('POST /api/chat: generated bodies and content types', async () => {
  test.setTimeout(60_000);
  await fc.assert(
    fc.asyncProperty(bodyText, contentType, fc.boolean(), async (body, type, sse) => {
      const headers: Record<string, string> = {};
      if (type) headers['Content-Type'] = type;
      if (sse) headers.Accept = 'text/event-stream';
      const res = await fetch(`${APP()}/api/chat`, { method: 'POST', headers, body });
      await expectClean(res, [200, 201]);
    }),
    { numRuns: 150 },
  );
});

test('stream and stop routes: generated ids, Last-Event-ID headers and query strings', async () => {
  test.setTimeout(60_000);
  const id = fc.oneof(
    fc.string({ minLength: 1, maxLength: 100 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    fc.constantFrom('..', '%2e%2e', '%00', 'a'.repeat(5000)),
  );
  const lastEventId = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s)),
    fc.integer().map(String),
    fc.constant('99999999999999999999'),
  );
  const query = fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 50 }).map((q) => `?lastEventId=${encodeURIComponent(q)}`),
  );
  await fc.assert(
    fc.asyncProperty(id, lastEventId, query, fc.boolean(), async (rawId, last, q, del) => {
      const url = `${APP()}/api/chat/${encodeURIComponent(rawId)}${del ? '' : '/stream'}${del ? '' : q}`;
      const headers: Record<string, string> = {};
      if (last !== undefined) headers['Last-Event-ID'] = last;
      let res: Response;
      try {
        res = await fetch(url, { method: del ? 'DELETE' : 'GET', headers });
      } catch {
        return; // a header value fetch itself refuses to send
      }
      await expectClean(res, [200, 204]);
    }),
    { numRuns: 150 },
  );
});

test('after all that, the server serves the next good request', async () => {
  const ok = await oneRequest('[[delay:0]] still standing');
  expect(text(ok.events)).toBe('Reply to: still standing');
  expect((await fetch(`${APP()}/api/health`)).status).toBe(200);
});
