import { expect, test } from '@playwright/test';
import { EventSource } from 'eventsource';
import { APP, readSse, text } from '../support/api';

const PRIVATE = () => process.env.PRIVATE_URL!;
const CODE = () => process.env.TEST_ACCESS_CODE!;
const bearer = () => ({ Authorization: `Bearer ${CODE()}` });
const json = { 'Content-Type': 'application/json' };
const ask = (content: string) => JSON.stringify({ messages: [{ role: 'user', content }] });

test.describe('access code', () => {
  test('every API route refuses requests without the code: 401 with the JSON error shape', async () => {
    const { id } = await (
      await fetch(`${PRIVATE()}/api/chat`, {
        method: 'POST',
        headers: { ...json, ...bearer(), 'X-Forwarded-For': '10.9.0.1' },
        body: ask('[[delay:0]] hi'),
      })
    ).json();
    const requests: [string, RequestInit][] = [
      ['/api/models', {}],
      ['/api/chat', { method: 'POST', headers: json, body: ask('hi') }],
      [`/api/chat/${id}/stream`, {}],
      [`/api/chat/${id}`, { method: 'DELETE' }],
    ];
    for (const [path, init] of requests) {
      for (const auth of [undefined, 'Bearer wrong-code', `Basic ${CODE()}`]) {
        const headers = {
          ...(init.headers as Record<string, string>),
          ...(auth ? { Authorization: auth } : {}),
        };
        const res = await fetch(PRIVATE() + path, { ...init, headers });
        expect(res.status, `${init.method ?? 'GET'} ${path} with ${auth}`).toBe(401);
        expect(await res.json()).toEqual({
          error: { code: 'unauthorized', message: expect.any(String) },
        });
      }
    }
    const ok = await readSse(`${PRIVATE()}/api/chat/${id}/stream`, { headers: bearer() });
    expect(text(ok.events)).toBe('Reply to: hi');
    expect((await fetch(`${PRIVATE()}/api/models`, { headers: bearer() })).status).toBe(200);
  });

  test('the code buys an HTTP-only cookie that EventSource carries', async () => {
    const wrong = await fetch(`${PRIVATE()}/api/access`, {
      method: 'POST',
      headers: json,
      body: '{"code":"nope"}',
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${PRIVATE()}/api/access`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ code: CODE() }),
    });
    expect(right.status).toBe(204);
    const setCookie = right.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(CODE());
    const cookie = setCookie.split(';')[0]!;

    const created = await fetch(`${PRIVATE()}/api/chat`, {
      method: 'POST',
      headers: { ...json, Cookie: cookie, 'X-Forwarded-For': '10.9.0.2' },
      body: ask('[[delay:0]] with a cookie'),
    });
    expect(created.status).toBe(201);
    const { streamUrl } = await created.json();
    const content = await new Promise<string>((resolve, reject) => {
      const es = new EventSource(PRIVATE() + streamUrl, {
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { ...init?.headers, Cookie: cookie } }),
      });
      let got = '';
      es.addEventListener('message', (e) => (got += JSON.parse(e.data).content));
      es.addEventListener('close', () => {
        es.close();
        resolve(got);
      });
      es.addEventListener('error', () => {
        if (es.readyState === EventSource.CLOSED) reject(new Error('EventSource failed'));
      });
    });
    expect(content).toBe('Reply to: with a cookie');
  });

  test('requests from another origin cannot create or stop replies', async () => {
    const res = await fetch(`${APP()}/api/chat`, {
      method: 'POST',
      headers: { ...json, Origin: 'https://evil.example' },
      body: ask('hi'),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('cross_origin');
    const same = await fetch(`${APP()}/api/chat`, {
      method: 'POST',
      headers: { ...json, Origin: APP() },
      body: ask('[[delay:0]] hi'),
    });
    expect(same.status).toBe(201);
  });
});

test.describe('rate limits', () => {
  test('in memory: concurrent and per-minute limits answer 429 with Retry-After', async () => {
    const client = { ...json, ...bearer(), 'X-Forwarded-For': '10.8.0.1' };
    const post = (content: string) =>
      fetch(`${PRIVATE()}/api/chat`, { method: 'POST', headers: client, body: ask(content) });
    const first = await post('[[tokens:2000]] [[delay:20]]');
    expect(first.status).toBe(201);
    const { id } = await first.json();
    // One open reply at a time for this client.
    const second = await post('[[delay:0]] again');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await second.json()).error.code).toBe('rate_limited');
    // Another client is not affected.
    const other = await fetch(`${PRIVATE()}/api/chat`, {
      method: 'POST',
      headers: { ...client, 'X-Forwarded-For': '10.8.0.2' },
      body: ask('[[delay:0]] other'),
    });
    expect(other.status).toBe(201);
    // Stopping frees the slot...
    expect(
      (await fetch(`${PRIVATE()}/api/chat/${id}`, { method: 'DELETE', headers: bearer() })).status,
    ).toBe(204);
    let third: Response | undefined;
    await expect.poll(async () => (third = await post('[[delay:0]] third')).status).toBe(201);
    // Each reply read to its end, so that the one-at-a-time limit is not what answers.
    const finish = async (res: Response) => {
      const { streamUrl } = (await res.json()) as { streamUrl: string };
      await readSse(PRIVATE() + streamUrl, { headers: bearer() });
    };
    await finish(third!);
    const fourth = await post('[[delay:0]] fourth');
    expect(fourth.status).toBe(201);
    await finish(fourth);
    // ...but three replies a minute is the most.
    const last = await post('[[delay:0]] fifth');
    expect(last.status).toBe(429);
    expect((await last.clone().json()).error.message).toMatch(/per minute/);
    const retryAfter = Number(last.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  test('in Redis: the limits are shared by all instances', async () => {
    const client = { ...json, 'X-Forwarded-For': '10.7.0.1' };
    const post = (base: string, content: string) =>
      fetch(`${base}/api/chat`, { method: 'POST', headers: client, body: ask(content) });
    const A = process.env.SCALE_A_URL!;
    const B = process.env.SCALE_B_URL!;
    const a1 = await post(A, '[[tokens:2000]] [[delay:20]]');
    const b1 = await post(B, '[[tokens:2000]] [[delay:20]]');
    expect([a1.status, b1.status]).toEqual([201, 201]);
    // Two open replies at once is the limit, whichever instance holds them.
    const a2 = await post(A, '[[delay:0]] x');
    expect(a2.status).toBe(429);
    for (const r of [a1, b1]) {
      const { id } = await r.json();
      expect((await fetch(`${B}/api/chat/${id}`, { method: 'DELETE' })).status).toBe(204);
    }
    // Four a minute, counted across instances (two are used; the refused one did not count).
    await expect.poll(async () => (await post(B, '[[delay:0]] y')).status).toBe(201);
    await expect.poll(async () => (await post(A, '[[delay:0]] z')).status).toBe(201);
    const over = await post(B, '[[delay:0]] w');
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
