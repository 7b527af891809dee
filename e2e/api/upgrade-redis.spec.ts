/**
 * Replies stored in Redis by the release before (e2e/fixtures/redis-v1.json, written by that
 * release itself: see e2e/fixtures/capture-redis.ts) are served by this one after an upgrade,
 * from either instance, exactly as that release served them: the same events with the same ids,
 * resumable after any of them.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { followWithEventSource, readSse } from '../support/api';

interface Received {
  event: string;
  id: string | undefined;
  data: string;
}
interface Fixture {
  release: string;
  replies: Record<string, { asked: string; id: string; received: Received[] }>;
  keys: Record<string, { type: string; value: unknown }>;
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/redis-v1.json', import.meta.url), 'utf8'),
) as Fixture;

/** What a client of the old release received, as the specs' SSE reader reports events. */
const expected = (received: Received[]) =>
  received.map((e) => ({ event: e.event, id: Number(e.id), data: JSON.parse(e.data) as unknown }));
const seen = (events: { event: string; id: number; data: unknown }[]) =>
  events.map(({ event, id, data }) => ({ event, id, data }));

const INSTANCES = [
  { name: 'A', url: () => process.env.SCALE_A_URL! },
  { name: 'B', url: () => process.env.SCALE_B_URL! },
];

// One worker loads the fixture and reads it (a second worker's load would race the reads).
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // Written under the instances' prefix as that release wrote them (only the replies' keys: its
  // rate-limit counters would only get in the way of other specs).
  const redis = new Redis(Number(process.env.REDIS_PORT), '127.0.0.1');
  const prefix = `e2e${process.env.REDIS_PORT}:`;
  try {
    for (const [name, { type, value }] of Object.entries(fixture.keys)) {
      if (!name.startsWith('r:')) continue;
      const key = prefix + name;
      await redis.del(key);
      if (type === 'stream') {
        for (const [id, fields] of value as [string, string[]][])
          await redis.xadd(key, id, ...fields);
      } else if (type === 'hash') {
        await redis.hset(key, value as Record<string, string>);
      } else {
        throw new Error(`a ${type} in the fixture: this spec does not know it`);
      }
      await redis.pexpire(key, 10 * 60_000);
    }
  } finally {
    redis.disconnect();
  }
});

test('the fixture holds finished, reasoning, stopped and failed replies of that release', () => {
  expect(Object.keys(fixture.replies).sort()).toEqual([
    'failed',
    'finished',
    'reasoning',
    'stopped',
  ]);
  const ends = Object.fromEntries(
    Object.entries(fixture.replies).map(([name, r]) => [name, r.received.at(-2)?.event]),
  );
  expect(ends).toEqual({
    finished: 'usage',
    reasoning: 'usage',
    stopped: 'message',
    failed: 'error',
  });
  expect(fixture.replies.reasoning!.received.some((e) => e.event === 'reasoning')).toBe(true);
});

for (const { name, url } of INSTANCES) {
  test(`instance ${name} serves each reply of the release before, whole and resumable`, async () => {
    for (const reply of Object.values(fixture.replies)) {
      const stream = `${url()}/api/chat/${reply.id}/stream`;
      const whole = await readSse(stream);
      expect(whole.status).toBe(200);
      expect(seen(whole.events)).toEqual(expected(reply.received));

      // After any event, exactly what came after it.
      const at = Math.floor(reply.received.length / 2);
      const rest = await readSse(stream, { headers: { 'Last-Event-ID': String(at) } });
      expect(seen(rest.events)).toEqual(expected(reply.received).filter((e) => e.id > at));
    }
  });
}

test('a browser-like EventSource follows a stored reply of the release before to its end', async () => {
  const reply = fixture.replies.finished!;
  const { events } = await followWithEventSource(
    `${process.env.SCALE_B_URL!}/api/chat/${reply.id}/stream`,
  );
  expect(seen(events)).toEqual(expected(reply.received));
});
