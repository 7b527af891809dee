/**
 * The pure parts of running on several instances: leases (a fake store and clock), applying
 * mirrored events by id, what a takeover reads from the stored frames, and the store's adopt
 * and release.
 */
import { describe, expect, it, vi } from 'vitest';
import { Leases, type LeaseStore } from '@/lib/streams/lease';
import { applyById, type StreamEntry } from '@/lib/streams/redis-mirror';
import { continuation, endsWithClose, textOf } from '@/lib/streams/takeover';
import { encodeJsonEvent } from '@/lib/sse/frame';
import { Reply, ReplyStore } from '@/lib/streams/reply-store';
import { CONTINUE_PROMPT } from '@/lib/chat/protocol';
import { streamToFollower } from '@/lib/streams/follow';
import { FakeClock } from './helpers';

/** Redis's lease semantics in memory: SET NX PX, compare-and-extend, compare-and-delete. */
function fakeLeaseStore(clock: { now(): number }) {
  const leases = new Map<string, { owner: string; until: number }>();
  const index = new Map<string, number>();
  const live = (id: string) => {
    const l = leases.get(id);
    return l && l.until > clock.now() ? l : undefined;
  };
  const store: LeaseStore = {
    async acquire(id, owner, ms, now) {
      if (live(id)) return false;
      leases.set(id, { owner, until: now + ms });
      index.set(id, now + ms);
      return true;
    },
    async renew(ids, owner, ms, now) {
      return ids.map((id) => {
        const l = live(id);
        if (l && l.owner !== owner) return false;
        leases.set(id, { owner, until: now + ms });
        index.set(id, now + ms);
        return true;
      });
    },
    async release(id, owner) {
      if (live(id)?.owner === owner) {
        leases.delete(id);
        index.set(id, 0);
      }
    },
    async lapsed(now, limit) {
      return [...index]
        .filter(([, t]) => t <= now)
        .map(([id]) => id)
        .slice(0, limit);
    },
    async forget(id) {
      index.delete(id);
    },
  };
  return { store, leases };
}

describe('Leases', () => {
  const setup = () => {
    const clock = new FakeClock();
    const { store, leases } = fakeLeaseStore(clock);
    const lost: string[] = [];
    const make = (owner: string) =>
      new Leases(store, owner, {
        leaseMs: 3000,
        onLost: (id) => lost.push(id),
        now: () => clock.now(),
      });
    return { clock, leases, lost, a: make('a'), b: make('b'), c: make('c') };
  };

  it('gives a reply to exactly one instance, and keeps it while renewed', async () => {
    const { clock, a, b } = setup();
    expect(await a.acquire('r1')).toBe(true);
    expect(await b.acquire('r1')).toBe(false);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await a.renew();
    }
    expect(await b.lapsed()).toEqual([]);
    expect(await b.acquire('r1')).toBe(false);
  });

  it('a lease that is not renewed lapses; exactly one of the racing instances takes it', async () => {
    const { clock, a, b, c } = setup();
    await a.acquire('r1');
    clock.advance(3000);
    expect(await b.lapsed()).toEqual(['r1']);
    const won = await Promise.all([b.acquire('r1'), c.acquire('r1')]);
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('the old owner learns it lost the lease at its next renewal', async () => {
    const { clock, lost, a, b } = setup();
    await a.acquire('r1');
    clock.advance(3500); // a hung past its lease
    expect(await b.acquire('r1')).toBe(true);
    await a.renew();
    expect(lost).toEqual(['r1']);
    expect(a.has('r1')).toBe(false);
    expect(b.has('r1')).toBe(true);
  });

  it('a lease Redis lost (a restart without persistence) stays with its owner', async () => {
    const { leases, lost, a, b } = setup();
    await a.acquire('r1');
    leases.clear();
    await a.renew();
    expect(lost).toEqual([]);
    expect(await b.acquire('r1')).toBe(false);
  });

  it('a released lease is free at once and listed as lapsed; a forgotten one is not', async () => {
    const { a, b } = setup();
    await a.acquire('r1');
    await a.release('r1');
    expect(await b.lapsed()).toEqual(['r1']);
    expect(await b.acquire('r1')).toBe(true);
    await b.release('r1', { forget: true });
    expect(await a.lapsed()).toEqual([]);
  });
});

describe('applyById', () => {
  const entry = (id: number): StreamEntry => [`0-${id}`, ['f', `frame${id}`]];

  it('appends the entries that follow the last id', () => {
    expect(applyById(2, [entry(3), entry(4)])).toEqual({
      frames: ['frame3', 'frame4'],
      last: 4,
      gap: false,
    });
  });

  it('drops entries already held (a rewrite sends them again)', () => {
    expect(applyById(3, [entry(1), entry(2), entry(3), entry(4)])).toEqual({
      frames: ['frame4'],
      last: 4,
      gap: false,
    });
  });

  it('stops at a gap and says so: nothing after it is applied out of order', () => {
    expect(applyById(2, [entry(3), entry(5), entry(6)])).toEqual({
      frames: ['frame3'],
      last: 3,
      gap: true,
    });
    expect(applyById(2, [entry(4)])).toEqual({ frames: [], last: 2, gap: true });
  });

  it('applies nothing twice over repeated fetches', () => {
    let last = 0;
    const seen: string[] = [];
    for (const batch of [
      [entry(1), entry(2)],
      [entry(2), entry(3)],
      [entry(1), entry(3), entry(4)],
    ]) {
      const applied = applyById(last, batch);
      seen.push(...applied.frames);
      last = applied.last;
    }
    expect(seen).toEqual(['frame1', 'frame2', 'frame3', 'frame4']);
  });
});

describe('takeover', () => {
  const frames = [
    encodeJsonEvent('meta', 1, { id: 'x', model: 'm', created: 1 }),
    encodeJsonEvent('message', 2, { content: 'Hello, ' }),
    encodeJsonEvent('reasoning', 3, { content: 'hmm' }),
    encodeJsonEvent('message', 4, { content: 'wor\nld' }),
  ];

  it('reads the answer so far from the frames', () => {
    expect(textOf(frames)).toBe('Hello, wor\nld');
    expect(endsWithClose(frames)).toBe(false);
    expect(endsWithClose([...frames, encodeJsonEvent('close', 5, { finishReason: 'stop' })])).toBe(
      true,
    );
  });

  it('asks to continue the way the UI does: the answer so far, then the Continue prompt', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(continuation(messages, 'Hello')).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: CONTINUE_PROMPT },
    ]);
    expect(continuation(messages, '')).toEqual(messages);
  });
});

describe('ReplyStore adopt and release', () => {
  const store = () =>
    new ReplyStore({
      graceMs: 1000,
      ttlMs: 10_000,
      maxReplyBytes: 1 << 20,
      maxBytes: 1 << 24,
      maxReplies: 100,
      timers: new FakeClock(),
    });

  it('an adopted reply goes on with the next ids', () => {
    const s = store();
    const reply = new Reply('adopted-reply-id-000000', 'm', 1);
    reply.pushFrames(
      [encodeJsonEvent('meta', 1, {}), encodeJsonEvent('message', 2, { content: 'a' })],
      false,
    );
    s.adopt(reply);
    expect(s.get(reply.id)).toBe(reply);
    s.append(reply, { event: 'notice', data: { code: 'continued', message: '…' } });
    expect(reply.lastEventId).toBe(3);
    expect(reply.frames[2]).toMatch(/^event: notice\nid: 3\n/);
  });

  it('a released reply takes no more events, and its followers end without close', async () => {
    const s = store();
    const reply = s.create('m');
    s.append(reply, { event: 'message', data: { content: 'a' } });
    const body = streamToFollower(s, reply, 0, {
      retryMs: 100,
      heartbeatMs: 60_000,
      stallMs: 60_000,
    });
    const reader = body.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value);
      }
    })();
    s.release(reply);
    expect(s.append(reply, { event: 'message', data: { content: 'b' } })).toBe(false);
    expect(s.get(reply.id)).toBeUndefined();
    expect(reply.upstream.signal.aborted).toBe(true);
    await read;
    expect(text).toContain('"content":"a"');
    expect(text).not.toContain('event: close');
  });

  const readAll = (body: ReadableStream<Uint8Array>) => {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const done = (async () => {
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) return text;
        text += decoder.decode(value);
      }
    })();
    return { done, now: () => text };
  };

  it('frames behind a fence wait for it to lift, then go out in order', async () => {
    const s = store();
    const reply = s.create('m');
    s.append(reply, { event: 'message', data: { content: 'seen' } });
    reply.fence = reply.lastEventId;
    s.append(reply, { event: 'message', data: { content: 'held' } });
    s.append(reply, { event: 'close', data: { finishReason: 'stop' } });
    const f = readAll(
      streamToFollower(s, reply, 0, { retryMs: 100, heartbeatMs: 60_000, stallMs: 60_000 }),
    );
    await vi.waitFor(() => expect(f.now()).toContain('"content":"seen"'));
    expect(f.now()).not.toContain('held');
    reply.lift();
    const text = await f.done;
    expect(text.indexOf('held')).toBeGreaterThan(text.indexOf('seen'));
    expect(text).toContain('event: close');
  });

  it('held frames of a reply handed away are never sent', async () => {
    const s = store();
    const reply = s.create('m');
    s.append(reply, { event: 'message', data: { content: 'seen' } });
    reply.fence = reply.lastEventId;
    s.append(reply, { event: 'message', data: { content: 'held' } });
    const f = readAll(
      streamToFollower(s, reply, 0, { retryMs: 100, heartbeatMs: 60_000, stallMs: 60_000 }),
    );
    await vi.waitFor(() => expect(f.now()).toContain('"content":"seen"'));
    s.release(reply);
    const text = await f.done;
    expect(text).not.toContain('held');
    expect(text).not.toContain('event: close');
  });
});
