/**
 * Hostile peers: an upstream that answers with bodies built to exhaust the relay — no line break
 * ever, one byte at a time, a gzip bomb, a 300 MB error body, values of the wrong JSON type, a
 * redirect, headers that never come. Every byte from an upstream must be bounded: each case ends
 * with the expected `error` (or a clean reply) within a time bound, and the server stays alive,
 * small, and able to serve the next reply at once.
 *
 * Every case runs on both upstream dialects (Chat Completions, then Responses).
 *
 * The file starts its own app instance per dialect, so that its memory figures are its own; with
 * `--max-old-space-size=512` a server that buffers without bound dies early (a failure here)
 * instead of eating the machine. Peak RSS per case comes from VmHWM, reset through
 * /proc/<pid>/clear_refs before the case, and from sampling VmRSS meanwhile.
 */
import { expect, test } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { freePort } from '../support/ports';
import { startApp } from '../support/servers';
import { DIALECTS, type SseEvent, simRecords, someClient, text, uniqueTag } from '../support/api';

test.describe.configure({ mode: 'serial', timeout: 60_000 });

const UPSTREAM_TIMEOUT_MS = 2000;
const UPSTREAM_IDLE_TIMEOUT_MS = 2000;
/**
 * How much a case may add to the resident size of the warmed-up server. A bounded relay reads a
 * few KB of an error body and a bounded event buffer (well under 50 MB, whatever the upstream
 * sends); one that buffers a 300 MB error body, or an endless line or inflated stream, goes far
 * past it (or dies at its 512 MB heap).
 */
const RSS_HEADROOM_KB = 200 * 1024;

let app: { url: string; child: ChildProcess; name: string };
let exit: string | undefined;
let exited: Promise<void>;
let baselineKb = 0;

function alive(): boolean {
  return app.child.exitCode === null && app.child.signalCode === null;
}

/**
 * Fails if the server died. A response that broke off may be the server dying: the client sees
 * the socket close before the parent sees the exit, so give the exit a moment to arrive.
 */
async function expectAlive(o?: Outcome): Promise<void> {
  if (o?.failure !== undefined && alive()) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  }
  const log = `see test-results/${app.name}.log`;
  expect(alive(), `the server died (${exit}); ${log}${o ? `\n${summary(o)}` : ''}`).toBe(true);
}

/** A field of /proc/<pid>/status, in kB; undefined once the process is gone. */
function statusKb(field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Watches the server's resident size during a case: the peak, in kB. */
function watchRss(): () => number {
  // Resets VmHWM to the current RSS (Linux ≥ 4.0); sampling covers kernels that refuse it.
  let hwm = true;
  try {
    writeFileSync(`/proc/${app.child.pid}/clear_refs`, '5');
  } catch {
    hwm = false;
  }
  let peak = statusKb('VmRSS') ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, statusKb('VmRSS') ?? 0)), 20);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, statusKb('VmRSS') ?? 0);
    if (hwm) peak = Math.max(peak, statusKb('VmHWM') ?? 0);
    return peak;
  };
}

interface Outcome {
  events: SseEvent[];
  /** ms from the POST to each event, in order. */
  times: number[];
  /** The reader gave up at the deadline (the stream had not ended). */
  timedOut: boolean;
  /** The response broke off (e.g. the server died), as the client saw it. */
  failure: string | undefined;
  status: number;
  peakKb: number;
  deadlineMs: number;
}

/**
 * POSTs one reply in one-request mode and reads its events until `close`, the end of the
 * response, or `deadlineMs` after the POST (then the connection is cut, which aborts the reply).
 */
async function chat(content: string, deadlineMs: number): Promise<Outcome> {
  const stopWatching = watchRss();
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), deadlineMs);
  const outcome: Outcome = {
    events: [],
    times: [],
    timedOut: false,
    failure: undefined,
    status: 0,
    peakKb: 0,
    deadlineMs,
  };
  const start = performance.now();
  try {
    const res = await fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        ...someClient(),
      },
      body: JSON.stringify({ messages: [{ role: 'user', content }] }),
      signal: controller.signal,
    });
    outcome.status = res.status;
    if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream')) {
      outcome.failure = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
      return outcome;
    }
    let closed = false;
    const parser = createParser({
      onEvent(e) {
        const at = performance.now();
        outcome.events.push({
          event: e.event ?? 'message',
          id: Number(e.id),
          data: JSON.parse(e.data) as Record<string, unknown>,
          at,
        });
        outcome.times.push(Math.round(at - start));
        if (e.event === 'close') closed = true;
      },
    });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    while (!closed) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    if (closed) await reader.cancel().catch(() => {});
  } catch (error) {
    if (controller.signal.aborted) outcome.timedOut = true;
    else outcome.failure = String((error as Error).cause ?? error);
  } finally {
    clearTimeout(deadline);
    outcome.peakKb = stopWatching();
  }
  return outcome;
}

/** What a failed assertion shows: the events with their times, and how the read ended. */
function summary(o: Outcome): string {
  const events = o.events.map((e, i) => {
    const data = JSON.stringify(e.data);
    return `  +${o.times[i]} ms ${e.event} ${data.length > 160 ? `${data.slice(0, 160)}…` : data}`;
  });
  const end = o.timedOut
    ? `no end within the ${o.deadlineMs} ms deadline`
    : o.failure
      ? `broke off: ${o.failure}`
      : 'ended';
  return [`HTTP ${o.status}, ${end}, peak RSS ${mb(o.peakKb)}:`, ...events].join('\n');
}

const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;

/** The one `error` event, its time after the POST, and the `close {finishReason:"error"}`. */
async function expectError(
  o: Outcome,
  code: string,
  withinMs: number,
): Promise<Record<string, unknown>> {
  await expectAlive(o);
  const why = summary(o);
  const errors = o.events.filter((e) => e.event === 'error');
  expect(
    errors.map((e) => e.data.code),
    why,
  ).toEqual([code]);
  expect(
    o.events.slice(-2).map((e) => e.event),
    why,
  ).toEqual(['error', 'close']);
  expect(o.events.at(-1)?.data, why).toEqual({ finishReason: 'error' });
  expect(o.times[o.events.indexOf(errors[0]!)], `error event too late\n${why}`).toBeLessThan(
    withinMs,
  );
  return errors[0]!.data;
}

/** The server is alive, stayed small during the case, and streams a normal reply whole. */
async function expectHealthy(o: Outcome): Promise<void> {
  await expectAlive(o);
  const description = `${mb(o.peakKb)} (${mb(baselineKb)} at start)`;
  test.info().annotations.push({ type: 'peak RSS', description });
  console.log(`hostile upstream, ${test.info().title}: peak RSS ${description}`);
  expect(
    o.peakKb,
    `peak RSS ${mb(o.peakKb)}, over ${mb(baselineKb)} at start + ${mb(RSS_HEADROOM_KB)}\n${summary(o)}`,
  ).toBeLessThan(baselineKb + RSS_HEADROOM_KB);
  await expectNormalReply();
}

async function expectNormalReply(): Promise<void> {
  const o = await chat('[[delay:0]] hello', 10_000);
  await expectAlive(o);
  const why = summary(o);
  expect(text(o.events), why).toBe('Reply to: hello');
  expect(
    o.events.filter((e) => e.event === 'error'),
    why,
  ).toEqual([]);
  expect(o.events.at(-1), why).toMatchObject({ event: 'close', data: { finishReason: 'stop' } });
}

/** Waits until the simulator saw every request with this tag closed by the client. */
async function expectUpstreamClosed(tag: string): Promise<void> {
  await expect
    .poll(
      async () => {
        const records = await simRecords(tag);
        return records
          .map((r) =>
            r.clientClosed
              ? 'closed by the client'
              : r.endedAt !== undefined
                ? `read to the end (${r.bytesSent} bytes)`
                : `still open (${r.bytesSent} bytes sent)`,
          )
          .join(', ');
      },
      { message: `the upstream requests tagged ${tag}, as the simulator saw them` },
    )
    .toMatch(/^closed by the client(, closed by the client)*$/);
}

for (const dialect of DIALECTS) {
  test.describe(dialect.name, () => {
    test.beforeAll(async () => {
      const name = `hostile-upstream-${dialect.name}`;
      app = {
        name,
        ...(await startApp(name, await freePort(), {
          OPENAI_API: dialect.name,
          OPENAI_API_KEY: process.env.TEST_API_KEY!,
          OPENAI_BASE_URL: `${process.env.SIMULATOR_URL}/v1`,
          OPENAI_MODEL: 'test-model',
          UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
          UPSTREAM_IDLE_TIMEOUT_MS: String(UPSTREAM_IDLE_TIMEOUT_MS),
          UPSTREAM_MAX_RETRIES: '2',
          RATE_LIMIT_PER_MINUTE: '0',
          RATE_LIMIT_CONCURRENT: '0',
          // A server that buffers without bound dies at 512 MB of heap rather than eating the machine.
          NODE_OPTIONS: '--max-old-space-size=512',
        })),
      };
      exited = new Promise((resolve) =>
        app.child.once('exit', (code, signal) => {
          exit = `exit code ${code}, signal ${signal}`;
          resolve();
        }),
      );
      // Warm up (route code loaded, pools filled) before taking the baseline.
      await expectNormalReply();
      await expectNormalReply();
      baselineKb = statusKb('VmRSS')!;
    });

    test.afterAll(async () => {
      if (!app || !alive()) return;
      app.child.kill('SIGTERM');
      const killer = setTimeout(() => app.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    });

    test('an endless line (no line break ever) → bad_upstream_response, upstream closed', async () => {
      const tag = uniqueTag('no-newline');
      const o = await chat(`[[tag:${tag}]] [[no-newline]] hello`, 15_000);
      await expectError(o, 'bad_upstream_response', 10_000);
      await expectUpstreamClosed(tag);
      await expectHealthy(o);
    });

    test('an event that trickles in a byte at a time → upstream_timeout after the idle timeout', async () => {
      const tag = uniqueTag('trickle');
      const o = await chat(`[[tag:${tag}]] [[trickle:200]] hello`, UPSTREAM_IDLE_TIMEOUT_MS + 8000);
      // The idle timeout counts time without a complete event, not without bytes.
      await expectError(o, 'upstream_timeout', UPSTREAM_IDLE_TIMEOUT_MS + 3000);
      // The text before it is kept.
      expect(text(o.events), summary(o)).toBe('Reply');
      await expectUpstreamClosed(tag);
      await expectHealthy(o);
    });

    for (const variant of ['', ':events']) {
      test(`a gzip bomb nobody asked for ([[gzip-bomb${variant}]]) → bad_upstream_response`, async () => {
        const tag = uniqueTag('gzip-bomb');
        const o = await chat(`[[tag:${tag}]] [[gzip-bomb${variant}]] hello`, 20_000);
        await expectError(o, 'bad_upstream_response', 15_000);
        expect(text(o.events), summary(o)).toBe('');
        await expectUpstreamClosed(tag);
        await expectHealthy(o);
      });
    }

    test('a 300 MB error body, on every retry → upstream_unavailable, each attempt read only in part', async () => {
      const tag = uniqueTag('error-body');
      const o = await chat(`[[tag:${tag}]] [[status:500]] [[error-body:300000000]] hello`, 15_000);
      const error = await expectError(o, 'upstream_unavailable', 10_000);
      expect(JSON.stringify(error)).not.toContain('xxxxxxxx');
      // 5xx are retried (UPSTREAM_MAX_RETRIES=2): every attempt is cut short by the server.
      const attempts = await simRecords(tag);
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(attempts.length).toBeLessThanOrEqual(3);
      await expectHealthy(o);
      await expectUpstreamClosed(tag);
    });

    test('delta content that is a number, then an object → bad_upstream_response, never relayed', async () => {
      const o = await chat('[[bad-types:content]] hello', 15_000);
      await expectError(o, 'bad_upstream_response', 10_000);
      const contents = o.events.filter((e) => e.event === 'message').map((e) => e.data.content);
      // Only the first, well-typed string: never 123, "123" or "[object Object]".
      expect(contents, summary(o)).toEqual(['Reply']);
      await expectHealthy(o);
    });

    test('usage with counts of the wrong type → no usage event, the reply ends normally', async () => {
      const o = await chat('[[bad-types:usage]] [[delay:0]] one two', 10_000);
      await expectAlive(o);
      const why = summary(o);
      expect(
        o.events.filter((e) => e.event === 'usage'),
        why,
      ).toEqual([]);
      expect(
        o.events.filter((e) => e.event === 'error'),
        why,
      ).toEqual([]);
      expect(text(o.events), why).toBe('Reply to: one two');
      expect(o.events.at(-1), why).toMatchObject({
        event: 'close',
        data: { finishReason: 'stop' },
      });
      await expectHealthy(o);
    });

    test('a finish_reason that is an object → bad_upstream_response', async () => {
      const o = await chat('[[bad-types:finish]] [[delay:0]] one two', 10_000);
      await expectError(o, 'bad_upstream_response', 5000);
      await expectHealthy(o);
    });

    test('reasoning_content that is a number → no reasoning event but strings, the stream closes', async () => {
      const o = await chat('[[bad-types:reasoning]] [[delay:0]] one two', 10_000);
      await expectAlive(o);
      const why = summary(o);
      const reasoning = o.events.filter((e) => e.event === 'reasoning');
      expect(
        reasoning.filter((e) => typeof e.data.content !== 'string'),
        why,
      ).toEqual([]);
      // Whether the value is dropped or the reply fails, 42 never reaches the client as text either.
      expect(reasoning.map((e) => e.data.content).join(''), why).not.toContain('42');
      expect(o.events.at(-1)?.event, why).toBe('close');
      await expectHealthy(o);
    });

    test('a redirect is not followed → bad_upstream_response that says so, not retryable', async () => {
      const tag = uniqueTag('redirect');
      const o = await chat(`[[tag:${tag}]] [[redirect]] hello`, 10_000);
      const error = await expectError(o, 'bad_upstream_response', 5000);
      expect(error.message, summary(o)).toMatch(/redirect/i);
      expect(error.retryable, summary(o)).toBe(false);
      await expect.poll(async () => (await simRecords(tag)).length).toBeGreaterThan(0);
      await expectHealthy(o);
    });

    test('response headers that never come → upstream_timeout within UPSTREAM_TIMEOUT_MS in all, not per retry', async () => {
      const tag = uniqueTag('first-byte');
      const o = await chat(`[[tag:${tag}]] [[first-byte:20000]] hello`, UPSTREAM_TIMEOUT_MS + 9000);
      // The timeout bounds the whole wait for the first response header, across retries (3 attempts
      // allowed), measured from the POST: not 3 × 2000 ms plus back-off.
      await expectError(o, 'upstream_timeout', UPSTREAM_TIMEOUT_MS + 1500);
      const attempts = await simRecords(tag);
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      expect(attempts.length).toBeLessThanOrEqual(3);
      // Every attempt was given up by the server (and the simulator stopped waiting).
      await expectUpstreamClosed(tag);
      await expectHealthy(o);
    });
  });
}
