/**
 * Hostile clients and forged headers against the production build: clients that never read,
 * HEAD on a stream, forged client addresses, guessing the access code, other Host names and
 * origins, a malformed cookie, and what the health endpoint tells strangers. Each group starts
 * its own server, so its limits and memory figures are its own.
 */
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { freePort } from '../support/ports';
import { metricsAuth, startApp } from '../support/servers';
import { startNginx } from '../support/nginx';
import { simRecord, uniqueTag } from '../support/api';

test.describe.configure({ mode: 'serial' });

const json = { 'Content-Type': 'application/json' };
const ask = (content: string) => JSON.stringify({ messages: [{ role: 'user', content }] });
const upstream = () => ({
  OPENAI_API_KEY: process.env.TEST_API_KEY!,
  OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
  OPENAI_MODEL: 'test-model',
});
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function health(base: string): Promise<{ followers: number; store: { running: number } }> {
  return (await fetch(`${base}/api/health`, { headers: metricsAuth })).json();
}

/** A request with a Host header of our choosing (fetch does not let us set it). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test.describe('clients that never read, and HEAD', () => {
  let base: string;
  let child: ChildProcess;
  test.beforeAll(async () => {
    ({ url: base, child } = await startApp('never-reading', await freePort(), {
      ...upstream(),
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_CONCURRENT: '0',
      CLIENT_STALL_TIMEOUT_MS: '3000',
      REPLY_MAX_BYTES: String(32 * 1024 * 1024),
      REPLY_GRACE_MS: '1500',
      HEARTBEAT_MS: '1000',
    }));
  });
  test.afterAll(() => void child?.kill('SIGKILL'));

  test('150 clients that never read a 12 MB reply cost a bounded amount, and are dropped', async () => {
    test.setTimeout(120_000);
    const created = await fetch(`${base}/api/chat`, {
      method: 'POST',
      headers: json,
      body: ask('[[tokens:320000]] [[delay:0]] long'),
    });
    const { streamUrl } = (await created.json()) as { streamUrl: string };
    // Read it whole once: the reply is complete, and the heap has grown to what that takes.
    const whole = await (await fetch(base + streamUrl)).arrayBuffer();
    expect(whole.byteLength).toBeGreaterThan(10_000_000);
    const pid = child.pid!;
    const baseline = rssMb(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);

    // On loopback the kernel takes about 7 MB of each connection before the server feels any
    // backpressure (that memory is the kernel's, the same for any server): the reply is longer
    // than that, so every one of these clients stalls the server's writes.
    const N = 150;
    const sockets: net.Socket[] = [];
    try {
      const closed = sockets.map(() => Promise.resolve());
      for (let i = 0; i < N; i++) {
        const socket = net.connect(Number(new URL(base).port), '127.0.0.1');
        socket.write(`GET ${streamUrl} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        socket.pause();
        sockets.push(socket);
        closed.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
        socket.on('error', () => {});
      }
      let attached = 0;
      await expect
        .poll(async () => (attached = Math.max(attached, (await health(base)).followers)))
        .toBeGreaterThan(0);
      // Each is dropped after CLIENT_STALL_TIMEOUT_MS without taking anything.
      await expect.poll(async () => (await health(base)).followers, { timeout: 60_000 }).toBe(0);
      clearInterval(sampler);
      const growth = peak - baseline;
      console.log(
        `never-reading: ${N} clients on a ${(whole.byteLength / 1e6).toFixed(1)} MB reply: ` +
          `RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
      );
      // A copy of the reply per client would be 150 × 12 MB; a slice or two each is a few MB.
      expect(growth).toBeLessThan(200);
      // The connections were closed by the server, not just forgotten: reading what the kernel
      // had queued, every client then sees its end.
      for (const socket of sockets) socket.resume();
      await Promise.all(closed);
      expect(child.exitCode).toBeNull();
      // The reply is still there for anyone who reads, resuming where they were.
      const again = await fetch(base + streamUrl, { headers: { 'Last-Event-ID': '10' } });
      expect(again.status).toBe(200);
      await again.body?.cancel();
    } finally {
      clearInterval(sampler);
      for (const s of sockets) s.destroy();
    }
  });

  test('HEAD on a stream attaches no follower, so an unfollowed reply is still abandoned', async () => {
    const tag = uniqueTag('head');
    const { streamUrl } = (await (
      await fetch(`${base}/api/chat`, {
        method: 'POST',
        headers: json,
        body: ask(`[[tag:${tag}]] [[tokens:2000]] [[delay:20]]`),
      })
    ).json()) as { streamUrl: string };
    for (let i = 0; i < 20; i++) {
      const res = await fetch(base + streamUrl, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
    }
    expect((await health(base)).followers).toBe(0);
    // Nobody follows: after the grace period the upstream request is aborted.
    await expect.poll(async () => (await simRecord(tag))?.clientClosed).toBe(true);
    expect(
      (await fetch(`${base}/api/chat/nonexistent-id-000000/stream`, { method: 'HEAD' })).status,
    ).toBe(404);
  });
});

test.describe('addresses, access code, hosts and origins', () => {
  const CODE = 'exposed-code-1234';
  let exposed: string;
  let trusting: string;
  const children: ChildProcess[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>>;
  test.beforeAll(async () => {
    const limits = { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_CONCURRENT: '0' };
    const [a, b] = await Promise.all([
      // Reached directly, as if exposed to the internet: no proxy is trusted.
      startApp('exposed', await freePort(), {
        ...upstream(),
        ...limits,
        ACCESS_CODE: CODE,
        ALLOWED_HOSTS: '127.0.0.1,localhost',
      }),
      // Behind the documented nginx configuration, which it trusts.
      startApp('behind-nginx', await freePort(), {
        ...upstream(),
        ...limits,
        ACCESS_CODE: CODE,
        TRUST_PROXY: 'loopback',
      }),
    ]);
    exposed = a.url;
    trusting = b.url;
    children.push(a.child, b.child);
    nginx = await startNginx(Number(new URL(trusting).port));
  });
  test.afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await nginx?.stop();
  });

  const post = (base: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/chat`, {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${CODE}`, ...headers },
      body: ask('[[delay:0]] hi'),
    });

  test('without TRUST_PROXY, forged X-Forwarded-For and X-Real-IP buy no new limits', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) {
      const res = await post(exposed, {
        'X-Forwarded-For': `10.50.0.${i}`,
        'X-Real-IP': `10.51.0.${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429]);
  });

  test('through the trusted nginx, a forged header is replaced; with the proxy trusted, it names the client', async () => {
    const through: number[] = [];
    for (let i = 1; i <= 5; i++) {
      through.push((await post(nginx.url, { 'X-Forwarded-For': `10.60.0.${i}` })).status);
    }
    // nginx sets X-Forwarded-For to the real peer (this machine): one client, limited after 3.
    expect(through).toEqual([201, 201, 201, 429, 429]);
    // A trusted proxy's header is honoured: each address is its own client.
    for (let i = 1; i <= 5; i++) {
      expect((await post(trusting, { 'X-Forwarded-For': `10.61.0.${i}` })).status).toBe(201);
    }
  });

  test('guessing from many addresses slows everyone down after repeated failures', async () => {
    // The trusting server believes X-Forwarded-For: 40 addresses, one wrong code each.
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const res = await fetch(`${trusting}/api/access`, {
        method: 'POST',
        headers: { ...json, 'X-Forwarded-For': `10.80.${i}.1` },
        body: JSON.stringify({ code: `guess-${i}` }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    // Past 30 wrong codes a minute, at most one try per 2 s gets through, from anywhere.
    expect(statuses.slice(30).filter((s) => s === 429).length).toBeGreaterThanOrEqual(8);
    // The right code still gets in once the slow-down lets a try through.
    await expect
      .poll(
        async () =>
          (
            await fetch(`${trusting}/api/access`, {
              method: 'POST',
              headers: { ...json, 'X-Forwarded-For': '10.81.0.1' },
              body: JSON.stringify({ code: CODE }),
            })
          ).status,
        { intervals: [500], timeout: 10_000 },
      )
      .toBe(204);
  });

  test('ALLOWED_HOSTS: other Host names get 421, for the API and for pages', async () => {
    const port = new URL(exposed).port;
    for (const path of ['/api/models', '/']) {
      const evil = await rawGet(exposed, path, { Host: `rebound.example:${port}` });
      expect(evil.status, path).toBe(421);
    }
    const evilApi = await rawGet(exposed, '/api/models', { Host: 'rebound.example' });
    expect(JSON.parse(evilApi.body)).toEqual({
      error: { code: 'unknown_host', message: expect.any(String) },
    });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const ok = await rawGet(exposed, '/api/models', {
        Host: host,
        Authorization: `Bearer ${CODE}`,
      });
      expect(ok.status, host).toBe(200);
    }
    // X-Forwarded-Host from an untrusted peer changes nothing.
    const forged = await rawGet(exposed, '/api/models', {
      Host: `127.0.0.1:${port}`,
      'X-Forwarded-Host': 'rebound.example',
      Authorization: `Bearer ${CODE}`,
    });
    expect(forged.status).toBe(200);
  });

  test('the origin check compares scheme, host and port, and ignores X-Forwarded-Host', async () => {
    const port = Number(new URL(exposed).port);
    const stop = (origin: string, extra: Record<string, string> = {}) =>
      fetch(`${exposed}/api/chat/AAAAAAAAAAAAAAAAAAAAAAAA`, {
        method: 'DELETE',
        headers: { Origin: origin, Authorization: `Bearer ${CODE}`, ...extra },
      });
    // Same origin: past the check (404: no such reply).
    expect((await stop(`http://127.0.0.1:${port}`)).status).toBe(404);
    expect((await stop(`http://127.0.0.1:${port + 1}`)).status).toBe(403);
    expect((await stop(`https://127.0.0.1:${port}`)).status).toBe(403);
    expect((await stop('null')).status).toBe(403);
    const rebinding = await stop('http://rebound.example', {
      'X-Forwarded-Host': 'rebound.example',
    });
    expect(rebinding.status).toBe(403);
  });

  test('health tells strangers only ok; the counts need the code or the metrics token', async () => {
    const anon = await fetch(`${exposed}/api/health`);
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ ok: true });
    const wrong = await fetch(`${exposed}/api/health`, {
      headers: { Authorization: 'Bearer e2e-metrics-token-wrong' },
    });
    expect(await wrong.json()).toEqual({ ok: true });
    for (const auth of [metricsAuth, { Authorization: `Bearer ${CODE}` }]) {
      const full = (await (await fetch(`${exposed}/api/health`, { headers: auth })).json()) as {
        store: { replies: number };
      };
      expect(full.store.replies).toEqual(expect.any(Number));
    }
  });

  test('a malformed access cookie is just not a valid code: 401, nothing logged', async () => {
    const res = await fetch(`${exposed}/api/models`, {
      headers: { Cookie: 'streamchat_access=%zz' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) },
    });
    expect(readFileSync('test-results/exposed.log', 'utf8')).not.toContain('URIError');
  });

  // Last: it locks this machine's address out of the exposed server for a minute.
  test('guessing the access code: limited per address whatever the headers say', async () => {
    const tries: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const res = await fetch(`${exposed}/api/access`, {
        method: 'POST',
        headers: { ...json, 'X-Forwarded-For': `10.70.0.${i}` },
        body: JSON.stringify({ code: `guess-${i}` }),
      });
      tries.push(res.status);
    }
    // At most 10 wrong codes a minute from one address (earlier tests here spent a few).
    const limited = tries.indexOf(429);
    expect(limited).toBeGreaterThan(0);
    expect(limited).toBeLessThanOrEqual(10);
    expect(tries.slice(0, limited).every((s) => s === 401)).toBe(true);
    expect(tries.slice(limited).every((s) => s === 429)).toBe(true);
    // Wrong bearer codes on any route count the same.
    const bearer = await fetch(`${exposed}/api/models`, {
      headers: { Authorization: 'Bearer guess-13' },
    });
    expect(bearer.status).toBe(429);
    expect(Number(bearer.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
