import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReplyStore, Reply } from '@/lib/streams/reply-store';
import {
  streamToFollower,
  MAX_WRITE_CHARS,
  openFollowerCount,
  type FollowOptions,
} from '@/lib/streams/follow';
import { parseSse, recordingParser, testStore, toJsonEvents, type JsonEvent } from './helpers';

const GRACE = 30_000;
/** Long enough that no ping shows up unless a test asks for one. */
const QUIET = 60_000;

const setup = () => testStore(GRACE);

function say(store: ReplyStore, reply: Reply, content: string): void {
  store.append(reply, { event: 'message', data: { content } });
}

function finish(store: ReplyStore, reply: Reply): void {
  store.append(reply, { event: 'close', data: { finishReason: 'stop' } });
}

/** A follower's stream, read the way a browser reads it. */
function open(
  store: ReplyStore,
  reply: Reply,
  after: number,
  options: Partial<FollowOptions> = {},
) {
  const stream = streamToFollower(store, reply, after, {
    retryMs: 1500,
    heartbeatMs: QUIET,
    stallMs: QUIET,
    ...options,
  });
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const { parser, out } = recordingParser();
  const chunks: string[] = [];
  return {
    out,
    chunks,
    reader,
    /** Reads one chunk; returns its text, or null at the end of the stream. */
    async next(): Promise<string | null> {
      const { done, value } = await reader.read();
      if (done) return null;
      const text = decoder.decode(value, { stream: true });
      chunks.push(text);
      parser.feed(text);
      return text;
    },
    /** Reads to the end. */
    async drain(): Promise<JsonEvent[]> {
      while ((await this.next()) !== null);
      return this.events();
    },
    events(): JsonEvent[] {
      return toJsonEvents(out.events);
    },
  };
}

async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** Readers left open by a test are cancelled after it. */
const readers: { cancel(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.cancel().catch(() => {})));
});

describe('streamToFollower', () => {
  it('starts with a retry field, then the replay, in one chunk', async () => {
    const { store } = setup();
    const reply = store.create('m');
    say(store, reply, 'a');
    const f = open(store, reply, 0, { retryMs: 1500 });
    readers.push(f.reader);
    const first = await f.next();
    expect(first).toMatch(/^retry: 1500\n\n/);
    expect(f.out.retries).toEqual([1500]);
    expect(f.events().map((e) => e.id)).toEqual([1, 2]);
  });

  it('replays exactly the events after `after`, then closes after close', async () => {
    const { store } = setup();
    const reply = store.create('m');
    for (const piece of ['zero ', 'one ', 'two ', 'three']) say(store, reply, piece);
    finish(store, reply);
    const f = open(store, reply, 3);
    const events = await f.drain();
    expect(events.map((e) => e.id)).toEqual([4, 5, 6]);
    expect(events).toEqual([
      { event: 'message', id: 4, data: { content: 'two ' } },
      { event: 'message', id: 5, data: { content: 'three' } },
      { event: 'close', id: 6, data: { finishReason: 'stop' } },
    ]);
  });

  it('replays nothing twice and skips nothing for every possible `after`', async () => {
    const { store } = setup();
    const reply = store.create('m');
    for (let i = 0; i < 5; i++) say(store, reply, `${i}`);
    finish(store, reply);
    for (let after = 0; after <= reply.lastEventId + 2; after++) {
      const events = await open(store, reply, after).drain();
      const expected = Array.from(
        { length: Math.max(0, reply.lastEventId - after) },
        (_, i) => after + i + 1,
      );
      expect(events.map((e) => e.id)).toEqual(expected);
    }
  });

  it('a running reply resumed after an id it has not reached sends only what comes after it', async () => {
    const { store } = setup();
    const reply = store.create('m'); // meta is 1
    say(store, reply, 'a'); // 2
    const f = open(store, reply, 4);
    readers.push(f.reader);
    await f.next(); // retry only
    for (const piece of ['b', 'c', 'd', 'e']) say(store, reply, piece); // 3–6
    finish(store, reply); // 7
    const events = await f.drain();
    expect(events.map((e) => e.id)).toEqual([5, 6, 7]);
    expect(events[0]).toEqual({ event: 'message', id: 5, data: { content: 'd' } });
  });

  it('a running reply resumed after an id beyond its end sends nothing, and ends', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 50);
    readers.push(f.reader);
    await f.next(); // retry only
    say(store, reply, 'a');
    finish(store, reply);
    expect(await f.drain()).toEqual([]);
  });

  it('delivers events appended after it started, then ends with close', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 1);
    readers.push(f.reader);
    await f.next(); // retry only
    expect(f.events()).toEqual([]);

    const read = f.next();
    say(store, reply, 'live');
    expect(await read).toContain('"live"');
    expect(f.events()).toEqual([{ event: 'message', id: 2, data: { content: 'live' } }]);

    const rest = f.drain();
    say(store, reply, ' more');
    finish(store, reply);
    const events = await rest;
    expect(events.map((e) => e.id)).toEqual([2, 3, 4]);
    expect(events.at(-1)).toEqual({ event: 'close', id: 4, data: { finishReason: 'stop' } });
  });

  it('sends several events appended in one tick as one chunk', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 1);
    readers.push(f.reader);
    await f.next();
    const read = f.next();
    // As the SDK's async iterator yields them: one network read, several chunks, microtasks apart.
    say(store, reply, 'a');
    await microtasks(5);
    say(store, reply, 'b');
    await microtasks(5);
    say(store, reply, 'c');
    const chunk = await read;
    expect(chunk).not.toBeNull();
    const ids = toJsonEvents(parseSse(chunk!).events).map((e) => e.id);
    expect(ids).toEqual([2, 3, 4]);
  });

  it('detaches when the reader cancels, and the grace starts again', async () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    const before = openFollowerCount();
    const f = open(store, reply, 0);
    await f.next();
    expect(reply.followers).toBe(1);
    expect(openFollowerCount()).toBe(before + 1);
    clock.advance(GRACE * 2);
    expect(reply.done).toBe(false);

    await f.reader.cancel();
    expect(reply.followers).toBe(0);
    expect(openFollowerCount()).toBe(before);
    clock.advance(GRACE - 1);
    expect(reply.done).toBe(false);
    clock.advance(1);
    expect(reply.done).toBe(true);
    expect(reply.upstream.signal.aborted).toBe(true);
  });

  it('detaches when the reader cancels while a read is pending', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 1);
    await f.next();
    const pending = f.next();
    await f.reader.cancel();
    expect(await pending).toBeNull();
    expect(reply.followers).toBe(0);
  });

  it('detaches itself after delivering close', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 0);
    const done = f.drain();
    await vi.waitFor(() => expect(reply.followers).toBe(1));
    finish(store, reply);
    await done;
    expect(reply.followers).toBe(0);
  });

  it('sends a `: ping` comment when the connection is idle', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 1, { heartbeatMs: 100 });
    readers.push(f.reader);
    await f.next();
    const started = Date.now();
    const chunk = await f.next();
    expect(chunk).toBe(': ping\n\n');
    expect(f.out.comments).toEqual(['ping']);
    expect(f.events()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A ping does not disturb the events that follow it.
    const read = f.next();
    say(store, reply, 'after the ping');
    await read;
    expect(f.events()).toEqual([{ event: 'message', id: 2, data: { content: 'after the ping' } }]);
  });

  it('detaches when the request signal aborts, and the stream ends', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const controller = new AbortController();
    const before = openFollowerCount();
    const f = open(store, reply, 0, { signal: controller.signal });
    await f.next();
    const pending = f.next();
    expect(reply.followers).toBe(1);
    controller.abort();
    expect(reply.followers).toBe(0);
    expect(openFollowerCount()).toBe(before);
    await expect(pending).resolves.toBeNull();
  });

  it('does not attach for a request that was already aborted', async () => {
    const { store, clock } = setup();
    const reply = store.create('m');
    const before = openFollowerCount();
    const f = open(store, reply, 0, { signal: AbortSignal.abort() });
    expect(reply.followers).toBe(0);
    expect(openFollowerCount()).toBe(before);
    clock.advance(GRACE);
    expect(reply.done).toBe(true);
    await expect(f.drain()).resolves.toBeDefined();
  });

  it('replays a long reply a slice at a time, every byte exactly once', async () => {
    const { store } = setup();
    const reply = store.create('m');
    // Multi-byte text, surrogate pairs, and one frame longer than a slice by itself.
    const pieces = Array.from({ length: 200 }, (_, i) => `${i} héllo 😀 `.repeat(40));
    pieces.push('😀'.repeat(MAX_WRITE_CHARS));
    for (const piece of pieces) say(store, reply, piece);
    finish(store, reply);
    const f = open(store, reply, 0);
    const events = await f.drain();
    expect(events.filter((e) => e.event === 'message').map((e) => e.data)).toEqual(
      pieces.map((content) => ({ content })),
    );
    expect(events.at(-1)).toMatchObject({ event: 'close' });
    const total = reply.frames.reduce((n, frame) => n + frame.length, 0);
    expect(f.chunks.length).toBeGreaterThanOrEqual(Math.ceil(total / MAX_WRITE_CHARS));
    const head = 'retry: 1500\n\n'.length;
    for (const chunk of f.chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_WRITE_CHARS + head);
      expect(chunk).not.toContain('\uFFFD');
    }
  });

  it('drops a client that takes nothing for stallMs, and only such a client', async () => {
    const { store } = setup();
    const reply = store.create('m');
    say(store, reply, 'x'.repeat(1000));
    let stalledDropped = false;
    let idleDropped = false;
    // Reads nothing at all: its first write waits for ever.
    const stalled = open(store, reply, 0, {
      stallMs: 100,
      dropConnection: () => (stalledDropped = true),
    });
    readers.push(stalled.reader);
    // Reads everything, then waits for more with nothing to send: idle, not stalled.
    const idle = open(store, reply, 0, {
      stallMs: 100,
      dropConnection: () => (idleDropped = true),
    });
    readers.push(idle.reader);
    await idle.next();
    const pending = idle.next();
    expect(reply.followers).toBe(2);
    await vi.waitFor(() => expect(stalledDropped).toBe(true), { timeout: 5_000 });
    expect(idleDropped).toBe(false);
    expect(reply.followers).toBe(1);
    say(store, reply, 'more');
    await pending;
    expect(idle.events().at(-1)).toEqual({ event: 'message', id: 3, data: { content: 'more' } });
  });

  it('errors the body of a stalled client when its connection cannot be closed', async () => {
    const { store } = setup();
    const reply = store.create('m');
    const f = open(store, reply, 0, { stallMs: 100, dropConnection: () => false });
    readers.push(f.reader);
    await vi.waitFor(() => expect(reply.followers).toBe(0), { timeout: 5_000 });
    await expect(f.reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });
});
