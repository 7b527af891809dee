import { describe, expect, it } from 'vitest';
import {
  ReplyStore,
  StoreFullError,
  type EndCause,
  type Reply,
  type StoreOptions,
} from '@/lib/streams/reply-store';
import { FakeClock, replyEvents } from './helpers';

const GRACE = 30_000;
const TTL = 600_000;

function setup(options: Partial<StoreOptions> = {}) {
  const clock = new FakeClock();
  const ended: { id: string; cause: EndCause }[] = [];
  const store = new ReplyStore({
    graceMs: GRACE,
    ttlMs: TTL,
    maxReplyBytes: 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxReplies: 1000,
    timers: clock,
    ...options,
  });
  store.subscribe({ ended: (reply, cause) => ended.push({ id: reply.id, cause }) });
  return { clock, store, ended };
}

function say(store: ReplyStore, reply: Reply, content: string): boolean {
  return store.append(reply, { event: 'message', data: { content } });
}

function finish(store: ReplyStore, reply: Reply): void {
  store.append(reply, { event: 'close', data: { finishReason: 'stop' } });
}

function frameBytes(reply: Reply): number {
  return reply.frames.reduce((n, f) => n + f.length, 0);
}

describe('ReplyStore: ids and events', () => {
  it('gives every reply a unique 24-character URL-safe id', () => {
    const { store } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const { id } = store.create('m');
      expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(500);
    expect(store.size).toBe(500);
  });

  it('starts every reply with a meta event with id 1', () => {
    const { store, clock } = setup();
    const reply = store.create('gpt-x');
    expect(reply.lastEventId).toBe(1);
    expect(replyEvents(reply)).toEqual([
      {
        event: 'meta',
        id: 1,
        data: { id: reply.id, model: 'gpt-x', created: Math.floor(clock.now() / 1000) },
      },
    ]);
    expect(store.get(reply.id)).toBe(reply);
  });

  it('numbers events one by one and keeps their order', () => {
    const { store } = setup();
    const reply = store.create('m');
    for (const piece of ['Hel', 'lo', ' 🚀\n']) expect(say(store, reply, piece)).toBe(true);
    store.append(reply, {
      event: 'usage',
      data: { promptTokens: 1, completionTokens: 3, totalTokens: 4 },
    });
    finish(store, reply);
    const events = replyEvents(reply);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => e.event)).toEqual([
      'meta',
      'message',
      'message',
      'message',
      'usage',
      'close',
    ]);
    expect(events[3]!.data).toEqual({ content: ' 🚀\n' });
    expect(reply.done).toBe(true);
    expect(reply.finishReason).toBe('stop');
  });

  it('counts the bytes of every frame it holds', () => {
    const { store } = setup();
    const a = store.create('m');
    const b = store.create('m');
    say(store, a, 'some text');
    say(store, b, 'other');
    expect(a.bytes).toBe(frameBytes(a));
    expect(store.bytes).toBe(frameBytes(a) + frameBytes(b));
  });

  it('ignores appends once the reply has closed', () => {
    const { store } = setup();
    const reply = store.create('m');
    finish(store, reply);
    const frames = [...reply.frames];
    const bytes = store.bytes;
    expect(say(store, reply, 'late')).toBe(false);
    expect(store.append(reply, { event: 'close', data: { finishReason: 'error' } })).toBe(false);
    expect(reply.frames).toEqual(frames);
    expect(store.bytes).toBe(bytes);
    expect(reply.finishReason).toBe('stop');
  });
});

describe('ReplyStore: grace period', () => {
  it('abandons a reply nobody follows after graceMs, aborting the upstream', () => {
    const { store, clock, ended } = setup();
    const reply = store.create('m');
    clock.advance(GRACE - 1);
    expect(reply.done).toBe(false);
    expect(reply.upstream.signal.aborted).toBe(false);
    clock.advance(1);
    expect(reply.done).toBe(true);
    expect(reply.finishReason).toBe('stopped');
    expect(replyEvents(reply).at(-1)).toEqual({
      event: 'close',
      id: 2,
      data: { finishReason: 'stopped' },
    });
    expect(reply.upstream.signal.aborted).toBe(true);
    expect(ended).toEqual([{ id: reply.id, cause: 'abandoned' }]);
  });

  it('keeps a reply whose first follower attaches before the grace expires', () => {
    const { store, clock, ended } = setup();
    const reply = store.create('m');
    clock.advance(GRACE - 1);
    store.attach(reply);
    clock.advance(GRACE * 10);
    expect(reply.done).toBe(false);
    expect(reply.upstream.signal.aborted).toBe(false);
    expect(ended).toEqual([]);
  });

  it('restarts the grace when the last follower detaches', () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    store.attach(reply);
    store.attach(reply);
    store.detach(reply);
    expect(reply.followers).toBe(1);
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);

    store.detach(reply);
    expect(reply.followers).toBe(0);
    clock.advance(GRACE - 1);
    expect(reply.done).toBe(false);
    clock.advance(1);
    expect(reply.done).toBe(true);
    expect(reply.upstream.signal.aborted).toBe(true);
  });

  it('a follower coming back within the grace keeps the reply going', () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    store.attach(reply);
    store.detach(reply);
    clock.advance(GRACE / 2);
    store.attach(reply);
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);
  });

  it('ends a reply at once when its owner (one-request mode) leaves, even with other followers', () => {
    const { store, ended } = setup();
    const reply = store.create('m');
    store.attach(reply); // the owner
    store.attach(reply); // someone else following the same id
    say(store, reply, 'partial');
    store.detach(reply, true);
    expect(reply.done).toBe(true);
    expect(reply.finishReason).toBe('stopped');
    expect(reply.upstream.signal.aborted).toBe(true);
    expect(replyEvents(reply).map((e) => e.event)).toEqual(['meta', 'message', 'close']);
    expect(ended).toEqual([{ id: reply.id, cause: 'disconnected' }]);
  });

  it('does not abandon or re-close a reply that already finished', () => {
    const { store, clock, ended } = setup();
    const reply = store.create('m');
    store.attach(reply);
    finish(store, reply);
    store.detach(reply);
    clock.advance(GRACE);
    expect(reply.finishReason).toBe('stop');
    expect(reply.upstream.signal.aborted).toBe(false);
    expect(replyEvents(reply).filter((e) => e.event === 'close')).toHaveLength(1);
    expect(ended).toEqual([]);
  });
});

describe('ReplyStore: stop', () => {
  it('closes the reply with stopped and aborts the upstream', () => {
    const { store, ended } = setup();
    const reply = store.create('m');
    say(store, reply, 'so far');
    expect(store.stop(reply.id)).toBe(true);
    expect(reply.done).toBe(true);
    expect(reply.upstream.signal.aborted).toBe(true);
    expect(replyEvents(reply)).toEqual([
      expect.objectContaining({ event: 'meta' }),
      { event: 'message', id: 2, data: { content: 'so far' } },
      { event: 'close', id: 3, data: { finishReason: 'stopped' } },
    ]);
    expect(ended).toEqual([{ id: reply.id, cause: 'stopped' }]);
    // The text streamed so far stays available for replay.
    expect(store.get(reply.id)).toBe(reply);
  });

  it('returns false for an unknown id', () => {
    const { store } = setup();
    store.create('m');
    expect(store.stop('no-such-reply')).toBe(false);
  });
});

describe('ReplyStore: eviction and limits', () => {
  it('evicts a finished reply after ttlMs and gives its bytes back', () => {
    const { store, clock } = setup();
    const live = store.create('m');
    store.attach(live);
    const liveBytes = store.bytes;
    const reply = store.create('m');
    store.attach(reply);
    say(store, reply, 'x'.repeat(1000));
    finish(store, reply);
    expect(store.bytes).toBe(liveBytes + frameBytes(reply));
    clock.advance(TTL - 1);
    expect(store.get(reply.id)).toBe(reply);
    clock.advance(1);
    expect(store.get(reply.id)).toBeUndefined();
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(liveBytes);
    expect(store.get(live.id)).toBe(live);
  });

  it('counts the ttl from the end, not from the start', () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    store.attach(reply);
    clock.advance(TTL * 2);
    expect(store.get(reply.id)).toBe(reply);
    finish(store, reply);
    clock.advance(TTL - 1);
    expect(store.get(reply.id)).toBe(reply);
    clock.advance(1);
    expect(store.get(reply.id)).toBeUndefined();
  });

  it('cuts a reply that grows past maxReplyBytes with reply_too_large, then close length', () => {
    const { store, ended } = setup({ maxReplyBytes: 2_000 });
    const reply = store.create('m');
    store.attach(reply);
    let accepted = 0;
    while (say(store, reply, 'y'.repeat(100))) accepted++;
    expect(accepted).toBeGreaterThan(5);
    expect(reply.done).toBe(true);
    expect(reply.finishReason).toBe('length');
    expect(reply.upstream.signal.aborted).toBe(true);
    const events = replyEvents(reply);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.slice(-2)).toEqual([
      {
        event: 'error',
        id: accepted + 2,
        data: { code: 'reply_too_large', message: expect.any(String), retryable: false },
      },
      { event: 'close', id: accepted + 3, data: { finishReason: 'length' } },
    ]);
    // Everything but the closing pair fits in the limit.
    expect(frameBytes(reply) - reply.frames.slice(-2).join('').length).toBeLessThanOrEqual(2_000);
    expect(ended).toEqual([{ id: reply.id, cause: 'too_large' }]);
    expect(say(store, reply, 'more')).toBe(false);
  });

  it('with maxReplies reached, evicts the oldest finished replies first', () => {
    const { store } = setup({ maxReplies: 3 });
    const a = store.create('m');
    const b = store.create('m');
    const c = store.create('m');
    for (const r of [a, b, c]) store.attach(r);
    finish(store, c);
    finish(store, a);
    const d = store.create('m'); // a is the oldest finished one
    expect(store.get(a.id)).toBeUndefined();
    expect(store.get(b.id)).toBe(b);
    expect(store.get(c.id)).toBe(c);
    expect(store.get(d.id)).toBe(d);
    store.attach(d);
    const e = store.create('m'); // then c; b is live and stays
    expect(store.get(c.id)).toBeUndefined();
    expect(store.get(b.id)).toBe(b);
    expect(store.get(e.id)).toBe(e);
    expect(store.size).toBe(3);
    expect(store.bytes).toBe(frameBytes(b) + frameBytes(d) + frameBytes(e));
  });

  it('with maxReplies reached and every reply live, refuses new ones', () => {
    const { store } = setup({ maxReplies: 2 });
    const a = store.create('m');
    store.create('m');
    expect(() => store.create('m')).toThrow(StoreFullError);
    expect(store.size).toBe(2);
    finish(store, a);
    expect(() => store.create('m')).not.toThrow();
    expect(store.get(a.id)).toBeUndefined();
  });

  it('with maxBytes reached, evicts the oldest finished replies until there is room', () => {
    const { store } = setup({ maxBytes: 5_000, maxReplyBytes: 4_000 });
    const big = (content: string) => {
      const r = store.create('m');
      store.attach(r);
      say(store, r, content);
      return r;
    };
    const a = big('a'.repeat(1500));
    const b = big('b'.repeat(1500));
    const c = big('c'.repeat(1500));
    expect(store.bytes).toBeLessThan(5_000);
    finish(store, a);
    finish(store, b);
    say(store, c, 'c'.repeat(1000)); // now over maxBytes
    expect(store.bytes).toBeGreaterThanOrEqual(5_000);
    const d = store.create('m');
    expect(store.get(a.id)).toBeUndefined(); // the oldest finished one went first...
    expect(store.get(b.id)).toBe(b); // ...and that was enough
    expect(store.get(d.id)).toBe(d);
    expect(store.bytes).toBe(frameBytes(b) + frameBytes(c) + frameBytes(d));
  });

  it('with maxBytes reached by live replies only, throws StoreFullError', () => {
    const { store } = setup({ maxBytes: 3_000, maxReplyBytes: 4_000 });
    const a = store.create('m');
    store.attach(a);
    say(store, a, 'a'.repeat(3_000));
    expect(() => store.create('m')).toThrow(StoreFullError);
    expect(store.size).toBe(1);
    store.stop(a.id);
    const b = store.create('m');
    expect(store.get(a.id)).toBeUndefined();
    expect(store.bytes).toBe(frameBytes(b));
  });
});

describe('leave beacons (platforms that hide disconnects)', () => {
  it('end a reply after the grace period even though its follower never detached', () => {
    const { store, clock, ended } = setup({ honourLeave: true });
    const reply = store.create('m');
    store.attach(reply); // the platform never reports this follower leaving
    clock.advance(10_000);
    expect(store.leave(reply.id)).toBe(true);
    clock.advance(GRACE - 1);
    expect(reply.done).toBe(false);
    clock.advance(1);
    expect(reply.finishReason).toBe('stopped');
    expect(reply.upstream.signal.aborted).toBe(true);
    expect(ended).toEqual([{ id: reply.id, cause: 'abandoned' }]);
  });

  it('are cancelled by a follower coming back (a reload), and ignored right after one did', () => {
    const { store, clock } = setup({ honourLeave: true });
    const reply = store.create('m');
    store.attach(reply);
    clock.advance(10_000);
    store.leave(reply.id);
    clock.advance(1_000);
    store.attach(reply); // the reloaded page
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);
    // The next reload: the old page's beacon arrives just after the new page attached.
    store.attach(reply);
    clock.advance(500);
    store.leave(reply.id);
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);
  });

  it('change nothing where disconnects are seen (the default)', () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    store.attach(reply);
    clock.advance(10_000);
    expect(store.leave(reply.id)).toBe(true);
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);
    expect(store.leave('unknown-id-xxxxxxxxxxxx')).toBe(false);
  });
});
