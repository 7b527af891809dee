/**
 * Several instances sharing Redis, when things fail: a cold start, Redis restarting empty in the
 * middle of a reply, the generating instance killed, a rolling restart behind nginx, and two
 * instances racing to take over the same reply. Each test starts its own redis-server and its own
 * instances of the production build (it kills them), against the global test upstream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { freePort, waitForHttp, waitForPort } from '../support/ports';
import { startProcess, SERVER, baseEnv } from '../support/servers';
import { startNginx } from '../support/nginx';
import {
  expectConsecutiveIds,
  followWithEventSource,
  postChat,
  readSse,
  simRecords,
  text,
  uniqueTag,
  type SseEvent,
} from '../support/api';

// One test at a time: each runs up to three servers, a Redis and nginx on a small machine.
test.describe.configure({ mode: 'default' });

const LEASE_MS = 1500;

/** Every process a test started; whatever is still running at its end is killed. */
const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Sends `signal` and resolves with the exit code once the process is gone. */
function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill(signal);
  return exited;
}

test.afterEach(async () => {
  await Promise.all([...running].map((child) => stop(child, 'SIGKILL')));
});

async function startRedis(port: number): Promise<ChildProcess> {
  const child = track(
    spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    ),
  );
  await waitForPort(port);
  return child;
}

function instanceEnv(redisPort: number, prefix: string, extra: Record<string, string> = {}) {
  return {
    OPENAI_API_KEY: process.env.TEST_API_KEY!,
    OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
    OPENAI_MODEL: 'test-model',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PREFIX: prefix,
    REPLY_LEASE_MS: String(LEASE_MS),
    REPLY_GRACE_MS: '3000',
    SSE_RETRY_MS: '300',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_CONCURRENT: '0',
    ...extra,
  };
}

interface Instance {
  url: string;
  port: number;
  child: ChildProcess;
}

/** Starts an instance of the production build (log: test-results/<name>.log), not waiting. */
function spawnInstance(name: string, port: number, env: Record<string, string>): Instance {
  const child = track(startProcess(name, [SERVER], { ...baseEnv(), ...env, PORT: String(port) }));
  return { url: `http://127.0.0.1:${port}`, port, child };
}

/** Starts an instance and waits until it answers. */
async function launch(name: string, port: number, env: Record<string, string>) {
  const instance = spawnInstance(name, port, env);
  await waitForHttp(`${instance.url}/api/health`, 60_000);
  return instance;
}

const words = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(' ');

/** `n` ports that were free a moment ago. */
async function freePorts(n: number): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, () => freePort()));
}

const uniquePrefix = () => `sf${randomBytes(4).toString('hex')}:`;

async function tokensSent(tag: string): Promise<number> {
  return (await simRecords(tag)).reduce((n, r) => n + r.tokensSent, 0);
}

function post(base: string, content: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  });
}

/** What every follower of a reply must end with: the answer exactly, once, then one `close`. */
function expectWhole(events: SseEvent[], answer: string): void {
  expectConsecutiveIds(events);
  expect(events.filter((e) => e.event === 'error')).toEqual([]);
  expect(events.filter((e) => e.event === 'close')).toHaveLength(1);
  expect(events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stop' } });
  expect(text(events)).toBe(answer);
}

/** What is left of the events once the receiving time is dropped (to compare two followers). */
const strip = (events: SseEvent[]) => events.map(({ event, id, data }) => ({ event, id, data }));

const storeStatus = async (base: string) => (await fetch(`${base}/api/health`)).status;

test('cold start: a request the moment the port accepts is served; a Redis that is down answers 503 at once', async () => {
  test.setTimeout(120_000);
  const redisPort = await freePort();
  await startRedis(redisPort);
  const [twoStepPort, oneRequestPort, downPort, deadRedisPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const env = instanceEnv(redisPort, uniquePrefix());
  const answer = words('c', 40);
  const content = `[[echo]] [[delay:10]] ${answer}`;

  // Three instances start at once; each is sent its first request as soon as its port accepts
  // a connection (not after a health check).
  const twoStep = async () => {
    const app = spawnInstance('sf-cold-two-step', twoStepPort, env);
    await waitForPort(twoStepPort, 60_000);
    const started = Date.now();
    const res = await post(app.url, content);
    const postMs = Date.now() - started;
    expect(res.status).toBe(201);
    const { streamUrl } = (await res.json()) as { streamUrl: string };
    const result = await readSse(app.url + streamUrl);
    expect(result.status).toBe(200);
    expectWhole(result.events, answer);
    return postMs;
  };
  const oneRequest = async () => {
    const app = spawnInstance('sf-cold-one-request', oneRequestPort, env);
    await waitForPort(oneRequestPort, 60_000);
    const started = Date.now();
    const result = await readSse(`${app.url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
    });
    expect(result.status).toBe(200);
    expectWhole(result.events, answer);
    return Date.now() - started;
  };
  const redisDown = async () => {
    const app = spawnInstance(
      'sf-cold-redis-down',
      downPort,
      instanceEnv(deadRedisPort, uniquePrefix()),
    );
    await waitForPort(downPort, 60_000);
    const times: number[] = [];
    // The first request (Redis still "connecting" as far as the server knows) and a later one.
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const res = await post(app.url, '[[delay:0]] hello');
      times.push(Date.now() - started);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: { code: 'store_unavailable', message: expect.any(String) },
      });
    }
    return times;
  };
  const [twoStepMs, oneRequestMs, downMs] = await Promise.all([
    twoStep(),
    oneRequest(),
    redisDown(),
  ]);
  console.log(
    `cold start: POST answered 201 in ${twoStepMs} ms; one-request reply read in ${oneRequestMs} ms; ` +
      `Redis down: 503 in ${downMs.join(' ms, then ')} ms`,
  );
  for (const ms of downMs) expect(ms).toBeLessThan(3000);
});

/**
 * Redis loses everything in the middle of a reply (`restart`: killed, and a new empty one on the
 * same port after a while; `flush`: FLUSHALL, the connections stay up). The instance generating
 * the reply keeps serving its own followers meanwhile and writes the reply back; followers on the
 * other instance resume from Redis. Every follower ends with the exact text, once, and a reply
 * that had finished before is still replayable from the other instance.
 */
async function redisLostMidReply(how: 'restart' | 'flush') {
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const prefix = uniquePrefix();
  const env = instanceEnv(redisPort, prefix);
  const [portA, portB] = (await freePorts(2)) as [number, number];
  const [A, B] = await Promise.all([
    launch(`sf-${how}-a`, portA, env),
    launch(`sf-${how}-b`, portB, env),
  ]);
  const client = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    // A reply that finished before (followed on A only, so B has never read it).
    const finishedAnswer = words('f', 30);
    const finished = await postChat(`[[echo]] [[delay:0]] ${finishedAnswer}`, {}, A.url);
    expectWhole((await readSse(A.url + finished.streamUrl)).events, finishedAnswer);

    const tag = uniqueTag(`sf-${how}`);
    const answer = words('w', 200);
    const { id, streamUrl } = await postChat(
      `[[tag:${tag}]] [[echo]] [[delay:30]] ${answer}`,
      {},
      A.url,
    );
    const onA = readSse(A.url + streamUrl);
    const onB = readSse(B.url + streamUrl);
    const esOnB = followWithEventSource(B.url + streamUrl, undefined, { timeoutMs: 90_000 });
    await expect.poll(() => tokensSent(tag)).toBeGreaterThan(20);

    const lostAt = await tokensSent(tag);
    if (how === 'flush') {
      expect(await client.flushall()).toBe('OK');
    } else {
      await stop(redis, 'SIGKILL');
      // Both instances see that Redis is gone; the owner goes on generating meanwhile (what
      // its own followers see may wait: without Redis it cannot renew its lease, and it sends
      // nothing it is not sure is still its own; see fencing in redis-hub.ts).
      await expect.poll(() => storeStatus(A.url)).toBe(503);
      await expect.poll(() => storeStatus(B.url)).toBe(503);
      const sentThen = await tokensSent(tag);
      await expect.poll(() => tokensSent(tag), { timeout: 20_000 }).toBeGreaterThan(sentThen + 40);
      redis = await startRedis(redisPort);
    }
    const backAt = await tokensSent(tag);
    console.log(`Redis ${how}: lost after ${lostAt} tokens, back (empty) after ${backAt} of 200`);
    expect(backAt).toBeLessThan(200);

    const [a, b, es] = await Promise.all([onA, onB, esOnB]);
    for (const events of [a.events, b.events, es.events]) {
      expectWhole(events, answer);
      // The instance generating the reply never stopped: nobody takes it over.
      expect(events.filter((e) => e.event === 'notice')).toEqual([]);
    }
    expect(strip(b.events)).toEqual(strip(a.events));
    expect((await simRecords(tag)).filter((r) => r.continuation)).toEqual([]);

    // The new Redis holds both replies again, written back by their owner.
    await expect
      .poll(async () => [
        await client.xlen(`${prefix}r:${id}:e`).catch(() => -1),
        await client.hget(`${prefix}r:${id}:m`, 'done').catch(() => null),
      ])
      .toEqual([a.events.length, '1']);
    await expect
      .poll(async () => {
        const replay = await readSse(B.url + finished.streamUrl);
        return replay.status === 200 ? text(replay.events) : replay.status;
      })
      .toBe(finishedAnswer);
  } finally {
    client.disconnect();
  }
}

test('Redis restarts empty mid-reply: every follower ends with the exact text, once', async () => {
  test.setTimeout(120_000);
  await redisLostMidReply('restart');
});

test('Redis is flushed mid-reply: every follower ends with the exact text, once', async () => {
  test.setTimeout(120_000);
  await redisLostMidReply('flush');
});

/**
 * A redis-server, instances A and B sharing it, and a paced reply with a known answer on A
 * (asked with `extra`, such as `params`).
 */
async function replyOnA(name: string, extra: Record<string, unknown> = {}) {
  const redisPort = await freePort();
  await startRedis(redisPort);
  const env = instanceEnv(redisPort, uniquePrefix());
  const [portA, portB] = (await freePorts(2)) as [number, number];
  const [A, B] = await Promise.all([
    launch(`sf-${name}-a`, portA, env),
    launch(`sf-${name}-b`, portB, env),
  ]);
  const tag = uniqueTag(`sf-${name}`);
  const answer = words('w', 150);
  const { streamUrl } = await postChat(
    `[[tag:${tag}]] [[echo]] [[delay:30]] ${answer}`,
    extra,
    A.url,
  );
  return { A, B, tag, answer, streamUrl };
}

test('the generating instance is killed: another one continues the reply under the same id', async () => {
  test.setTimeout(120_000);
  const params = { temperature: 0.3, maxTokens: 5000, reasoningEffort: 'low' };
  const { A, B, tag, answer, streamUrl } = await replyOnA('kill', { params });
  let seen = 0;
  const follower = followWithEventSource(B.url + streamUrl, () => seen++, { timeoutMs: 90_000 });
  await expect.poll(() => seen).toBeGreaterThan(30);

  await stop(A.child, 'SIGKILL');
  const killedAt = performance.now();
  const { events, opens } = await follower;

  expectWhole(events, answer);
  const notices = events.filter((e) => e.event === 'notice');
  expect(notices).toHaveLength(1);
  expect(notices[0]!.data).toEqual({ code: 'continued', message: expect.any(String) });
  const at = events.indexOf(notices[0]!);
  const before = events.slice(0, at).filter((e) => e.event === 'message');
  const after = events.slice(at).filter((e) => e.event === 'message');
  expect(before.length).toBeGreaterThan(0);
  expect(after.length).toBeGreaterThan(0);
  const gap = Math.round(after[0]!.at - before.at(-1)!.at);
  const noticeAfterKill = Math.round(notices[0]!.at - killedAt);
  console.log(
    `takeover: notice ${noticeAfterKill} ms after SIGKILL; gap in the text ${gap} ms ` +
      `(lease ${LEASE_MS} ms); ${before.length} messages before, ${after.length} after; ${opens} connection(s)`,
  );
  // About a lease period plus a third (the takeover tick), with room for a loaded machine.
  expect(gap).toBeLessThan(LEASE_MS * 3);

  // One request continued the answer, from exactly the text the follower had before the notice.
  const records = await simRecords(tag);
  const continued = records.filter((r) => r.continuation);
  expect(continued).toHaveLength(1);
  expect(continued[0]!.lastAssistant).toBe(text(events.slice(0, at)));
  // With the settings it was asked with; the longest answer less what was already said.
  expect(records.find((r) => !r.continuation)?.params).toEqual(params);
  const { maxTokens, ...rest } = continued[0]!.params;
  expect(rest).toEqual({ temperature: 0.3, reasoningEffort: 'low' });
  expect(typeof maxTokens).toBe('number');
  expect(maxTokens as number).toBeGreaterThan(0);
  expect(maxTokens as number).toBeLessThan(params.maxTokens);
});

test('an instance paused past its lease, with nobody to take over, keeps its reply', async () => {
  test.setTimeout(120_000);
  const redisPort = await freePort();
  await startRedis(redisPort);
  const prefix = uniquePrefix();
  const A = await launch('sf-pause-alone', await freePort(), instanceEnv(redisPort, prefix));
  const client = new Redis(`redis://127.0.0.1:${redisPort}`);
  try {
    const tag = uniqueTag('sf-pause-alone');
    const answer = words('w', 150);
    const { id, streamUrl } = await postChat(
      `[[tag:${tag}]] [[echo]] [[delay:30]] ${answer}`,
      {},
      A.url,
    );
    let seen = 0;
    const follower = followWithEventSource(A.url + streamUrl, () => seen++, { timeoutMs: 90_000 });
    await expect.poll(() => seen).toBeGreaterThan(20);
    // Frozen (a long GC pause, a busy machine, a suspended VM) until its lease lapses.
    A.child.kill('SIGSTOP');
    try {
      await expect.poll(() => client.exists(`${prefix}r:${id}:lease`), { timeout: 10_000 }).toBe(0);
    } finally {
      A.child.kill('SIGCONT');
    }
    const { events } = await follower;
    expectWhole(events, answer);
    // Nobody took the lease meanwhile: the instance takes it back and carries on as before.
    expect(events.filter((e) => e.event === 'notice')).toEqual([]);
    expect((await simRecords(tag)).filter((r) => r.continuation)).toEqual([]);
  } finally {
    client.disconnect();
  }
});

// Resumed, the paused instance reads what its upstream sent meanwhile before it hears that its
// lease was taken. Fencing (redis-hub.ts) holds those frames back from its followers until the
// lease is confirmed, so they never see text that the continuation does not have: after
// reconnecting they get the rest of the other instance's answer, whole and once.
test('an instance paused past its lease: another continues the reply, every follower stays whole', async () => {
  test.setTimeout(120_000);
  const { A, B, tag, answer, streamUrl } = await replyOnA('pause');
  let seenOnA = 0;
  let noticeOnB = false;
  const onA = followWithEventSource(A.url + streamUrl, () => seenOnA++, { timeoutMs: 90_000 });
  const onB = followWithEventSource(
    B.url + streamUrl,
    (e) => (noticeOnB ||= e.event === 'notice'),
    { timeoutMs: 90_000 },
  );
  await expect.poll(() => seenOnA).toBeGreaterThan(20);
  A.child.kill('SIGSTOP');
  try {
    await expect.poll(() => noticeOnB, { timeout: 10_000 }).toBe(true);
  } finally {
    A.child.kill('SIGCONT');
  }
  const [a, b] = await Promise.all([onA, onB]);
  expectWhole(b.events, answer);
  expectWhole(a.events, answer);
  expect(strip(a.events)).toEqual(strip(b.events));
  expect((await simRecords(tag)).filter((r) => r.continuation)).toHaveLength(1);
});

test('rolling restart behind nginx: no reply ends with an error, each ends whole', async () => {
  test.setTimeout(180_000);
  const redisPort = await freePort();
  await startRedis(redisPort);
  const prefix = uniquePrefix();
  const [portA, portB] = (await freePorts(2)) as [number, number];
  // Each instance lists a model of its own, so that the test can tell which one nginx reached.
  // Hand-overs on SIGTERM do not wait for a lease to lapse: the default lease here, so that a busy
  // machine delaying a renewal past a short one does not make this test about something else.
  const envA = instanceEnv(redisPort, prefix, {
    REPLY_LEASE_MS: '5000',
    SHUTDOWN_GRACE_MS: '300',
    OPENAI_MODELS: 'test-model,instance-a',
  });
  const envB = { ...envA, OPENAI_MODELS: 'test-model,instance-b' };
  const [A, B] = await Promise.all([
    launch('sf-roll-a', portA, envA),
    launch('sf-roll-b', portB, envB),
  ]);
  const nginx = await startNginx([portA, portB]);
  try {
    /** The instance that answers a request through nginx. */
    const reached = async () => {
      const res = await fetch(`${nginx.url}/api/models`);
      const { models } = (await res.json()) as { models: { id: string }[] };
      return models.map((m) => m.id).find((m) => m.startsWith('instance-'));
    };
    const tag = uniqueTag('sf-roll');
    const answers = Array.from({ length: 4 }, (_, i) => words(`r${i}w`, 800));
    const replies = [];
    for (const [i, answer] of answers.entries()) {
      replies.push(
        await postChat(`[[tag:${tag}-${i}]] [[echo]] [[delay:40]] ${answer}`, {}, nginx.url),
      );
    }
    const seen = replies.map(() => 0);
    const followers = replies.map(({ streamUrl }, i) =>
      followWithEventSource(nginx.url + streamUrl, () => seen[i]!++, { timeoutMs: 150_000 }),
    );
    await expect.poll(() => Math.min(...seen)).toBeGreaterThan(10);

    const roll = async (instance: Instance, name: string, env: Record<string, string>) => {
      const started = Date.now();
      expect(await stop(instance.child, 'SIGTERM')).toBe(0);
      const stopped = Date.now();
      await launch(name, instance.port, env);
      // nginx keeps a server that refused a connection out of rotation for `fail_timeout` (10 s
      // by default): like a deploy, wait until it sends requests to the restarted one again.
      await expect
        .poll(reached, { timeout: 30_000, intervals: [200] })
        .toBe(env.OPENAI_MODELS!.split(',')[1]);
      console.log(
        `rolled ${name}: drained and exited in ${stopped - started} ms, back in rotation after ` +
          `${Date.now() - stopped} ms; replies at ${seen.join(', ')} events`,
      );
    };
    await roll(A, 'sf-roll-a2', envA);
    await roll(B, 'sf-roll-b2', envB);

    const results = await Promise.all(followers);
    for (const [i, { events }] of results.entries()) {
      expectWhole(events, answers[i]!);
      for (const notice of events.filter((e) => e.event === 'notice')) {
        expect(notice.data).toMatchObject({ code: 'continued' });
      }
    }
    const summary = results.map(
      ({ events, opens }) =>
        `${events.filter((e) => e.event === 'notice').length} notice(s), ${opens} connection(s)`,
    );
    console.log(`rolling restart: ${summary.join('; ')}`);
    // The restarts did hand replies over (else this test proved nothing).
    expect(results.some(({ events }) => events.some((e) => e.event === 'notice'))).toBe(true);
  } finally {
    await nginx.stop();
  }
});

test('three instances race to take over a reply: exactly one continues it', async () => {
  test.setTimeout(120_000);
  const redisPort = await freePort();
  await startRedis(redisPort);
  const prefix = uniquePrefix();
  const env = instanceEnv(redisPort, prefix);
  const ports = await freePorts(3);
  const [A, B, C] = await Promise.all(
    ['a', 'b', 'c'].map((n, i) => launch(`sf-race-${n}`, ports[i]!, env)),
  );
  const tag = uniqueTag('sf-race');
  const answer = words('w', 150);
  const { id, streamUrl } = await postChat(
    `[[tag:${tag}]] [[echo]] [[delay:30]] ${answer}`,
    {},
    A!.url,
  );
  const onB = readSse(B!.url + streamUrl);
  const onC = readSse(C!.url + streamUrl);
  await expect.poll(() => tokensSent(tag)).toBeGreaterThan(30);

  await stop(A!.child, 'SIGKILL');
  const [b, c] = await Promise.all([onB, onC]);
  for (const { events } of [b, c]) {
    expectWhole(events, answer);
    expect(events.filter((e) => e.event === 'notice')).toHaveLength(1);
  }
  expect(strip(c.events)).toEqual(strip(b.events));

  // Once the reply is finished and its lease forgotten nobody can take it over any more: then
  // count the requests that continued it.
  const client = new Redis(`redis://127.0.0.1:${redisPort}`);
  try {
    await expect
      .poll(async () => [
        await client.hget(`${prefix}r:${id}:m`, 'done'),
        await client.zscore(`${prefix}leases`, id),
      ])
      .toEqual(['1', null]);
  } finally {
    client.disconnect();
  }
  const continued = (await simRecords(tag)).filter((r) => r.continuation);
  expect(continued).toHaveLength(1);
  const holders = await Promise.all(
    [B!, C!].map(async (app) => {
      const res = await fetch(`${app.url}/api/health`, {
        headers: { Authorization: `Bearer ${baseEnv().METRICS_TOKEN}` },
      });
      return ((await res.json()) as { store: { replies: number } }).store.replies;
    }),
  );
  console.log(`takeover race: replies held locally by B, C: ${holders.join(', ')}`);
  expect(holders.toSorted()).toEqual([0, 1]);
});
