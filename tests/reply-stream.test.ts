/**
 * lib/client/reply-stream.ts: the browser side of following a reply, driven by a fake
 * EventSource, fake animation frames and a fake clock (the tests run in Node, with no DOM).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorData, UsageData } from '@/lib/chat/protocol';
import {
  silenceLimitMs,
  watchReplyStream,
  type Flush,
  type WatchHandlers,
} from '@/lib/client/reply-stream';

/** An EventSource whose events the test sends, with the ids the server would give them. */
class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static last: FakeEventSource | undefined;

  readyState = FakeEventSource.CONNECTING;
  onerror: ((e: Event) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    super();
    FakeEventSource.last = this;
  }

  close() {
    this.closed = true;
    this.readyState = FakeEventSource.CLOSED;
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  emit(type: string, id: number, data: unknown) {
    this.dispatchEvent(
      new MessageEvent(type, { data: JSON.stringify(data), lastEventId: String(id) }),
    );
  }

  delta(id: number, content: string) {
    this.emit('message', id, { content });
  }

  /** The connection dropped: the browser retries (CONNECTING) or gives up for good (CLOSED). */
  drop(forGood = false) {
    this.readyState = forGood ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    const e = new Event('error');
    this.onerror?.(e);
    this.dispatchEvent(e);
  }
}

/** Animation frames run when the test says, at the time it says. */
const frames = new Map<number, (now: number) => void>();
let nextFrame = 1;
let now = 0;
let doc: EventTarget & { hidden: boolean };
let win: EventTarget;

function runFrame(at: number) {
  now = at;
  const due = [...frames.values()];
  frames.clear();
  for (const cb of due) cb(at);
}

function setup(after = 0) {
  const flushes: Flush[] = [];
  const usages: UsageData[] = [];
  const reconnecting: boolean[] = [];
  const ends: [string, ErrorData | undefined][] = [];
  const handlers: WatchHandlers = {
    onFlush: (f) => flushes.push(f),
    onUsage: (u) => usages.push(u),
    onReconnecting: (on) => reconnecting.push(on),
    onEnd: (status, error) => ends.push([status, error]),
  };
  const watching = watchReplyStream('r1', after, handlers);
  const es = FakeEventSource.last!;
  return { es, watching, flushes, usages, reconnecting, ends };
}

beforeEach(() => {
  frames.clear();
  now = 1000;
  doc = Object.assign(new EventTarget(), { hidden: false });
  win = new EventTarget();
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('document', doc);
  vi.stubGlobal('window', win);
  vi.stubGlobal('requestAnimationFrame', (cb: (now: number) => void) => {
    const id = nextFrame++;
    frames.set(id, cb);
    return id;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.delete(id));
  vi.spyOn(performance, 'now').mockImplementation(() => now);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('watchReplyStream', () => {
  it('asks to resume after the saved event id, and from the start without one', () => {
    expect(setup(0).es.url).toBe('/api/chat/r1/stream');
    expect(setup(41).es.url).toBe('/api/chat/r1/stream?lastEventId=41');
  });

  it('batches deltas into one flush per frame, with the id of the last event it includes', () => {
    const { es, flushes } = setup();
    es.open();
    es.emit('meta', 1, { id: 'r1', model: 'demo', created: 0 });
    now = 1001;
    es.delta(2, 'Hel');
    now = 1002;
    es.delta(3, 'lo');
    es.emit('reasoning', 4, { content: 'hmm' });
    expect(flushes).toEqual([]); // nothing before the frame
    runFrame(1016);
    expect(flushes).toEqual([
      {
        content: 'Hello',
        reasoning: 'hmm',
        lastEventId: 4,
        firstAt: 1001,
        lastAt: 1002,
        deltas: 2,
      },
    ]);

    // The next frame comes too soon (under 28 ms after the last flush): the text waits for one.
    es.delta(5, ' there');
    runFrame(1032);
    expect(flushes).toHaveLength(1);
    runFrame(1048);
    expect(flushes).toHaveLength(2);
    expect(flushes[1]).toMatchObject({ content: ' there', lastEventId: 5, deltas: 1 });
  });

  it('hands text over on a timer while the tab is hidden (no frames run there)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { es, flushes } = setup();
    doc.hidden = true;
    es.delta(1, 'a');
    expect(frames.size).toBe(0);
    vi.advanceTimersByTime(249);
    expect(flushes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushes).toMatchObject([{ content: 'a', lastEventId: 1 }]);

    // Hidden while a frame is awaited: the timer takes over.
    doc.hidden = false;
    es.delta(2, 'b');
    expect(frames.size).toBe(1);
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(frames.size).toBe(0);
    vi.advanceTimersByTime(250);
    expect(flushes[1]).toMatchObject({ content: 'b', lastEventId: 2 });
  });

  it('passes usage on as it comes', () => {
    const { es, usages, flushes } = setup();
    const usage = { promptTokens: 3, completionTokens: 5, totalTokens: 8 };
    es.emit('usage', 7, usage);
    expect(usages).toEqual([usage]);
    es.emit('close', 8, { finishReason: 'stop' });
    expect(flushes).toEqual([]); // no text, nothing to flush
  });

  it.each([
    ['stop', 'done'],
    ['length', 'done'],
    ['stopped', 'stopped'],
  ])(
    'ends on close with finish reason %s as %s, flushing what is pending first',
    (reason, status) => {
      const { es, flushes, ends } = setup();
      es.delta(1, 'text');
      es.emit('close', 2, { finishReason: reason });
      expect(flushes).toMatchObject([{ content: 'text', lastEventId: 2 }]);
      expect(ends).toEqual([[status, undefined]]);
      expect(es.closed).toBe(true);
      expect(frames.size).toBe(0); // the awaited frame is cancelled
    },
  );

  it("ends a failed reply as an error carrying the error event's data", () => {
    const { es, ends } = setup();
    const error: ErrorData = { code: 'upstream_timeout', message: 'Too slow.', retryable: true };
    es.delta(1, 'partial');
    es.emit('error', 2, error);
    expect(ends).toEqual([]); // `close` follows
    es.emit('close', 3, { finishReason: 'error' });
    expect(ends).toEqual([['error', error]]);
    expect(es.closed).toBe(true);
  });

  it('says it is reconnecting while the browser retries, and not once an event comes', () => {
    const { es, reconnecting, ends, flushes } = setup(10);
    es.open();
    expect(reconnecting).toEqual([false]);
    es.drop();
    expect(reconnecting).toEqual([false, true]);
    expect(es.closed).toBe(false);
    es.open(); // reconnected (with Last-Event-ID)
    expect(reconnecting).toEqual([false, true, false]);
    es.delta(11, 'on');
    runFrame(2000);
    expect(flushes).toMatchObject([{ content: 'on', lastEventId: 11 }]);
    expect(ends).toEqual([]);
  });

  it('ends with connection_lost when the browser gives up for good', () => {
    const { es, ends, reconnecting } = setup(5);
    es.drop(true);
    expect(reconnecting).toEqual([]);
    expect(ends).toHaveLength(1);
    expect(ends[0]![0]).toBe('error');
    expect(ends[0]![1]).toMatchObject({ code: 'connection_lost', retryable: true });
  });

  it('closes from outside without ending the reply, and ignores what comes after', () => {
    const { es, watching, flushes, ends } = setup();
    es.delta(1, 'a');
    watching.close();
    expect(es.closed).toBe(true);
    expect(frames.size).toBe(0);
    es.emit('close', 2, { finishReason: 'stop' });
    expect(ends).toEqual([]);
    expect(flushes).toEqual([]);
  });
});

describe('watchReplyStream on a silent connection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  const meta = (heartbeatMs?: number) => ({ id: 'r1', model: 'demo', created: 0, heartbeatMs });

  it('waits about two heartbeats: twice the period and a little slack', () => {
    expect(silenceLimitMs(1000)).toBe(4000);
    expect(silenceLimitMs(10_000)).toBe(22_500);
    expect(silenceLimitMs(15_000)).toBe(33_000);
    expect(silenceLimitMs(100_000)).toBe(203_000);
  });

  it('reconnects after two missed heartbeats, resuming after the last event, nothing twice', () => {
    const { es, flushes, reconnecting, ends } = setup();
    es.open();
    es.emit('meta', 1, meta(1000));
    es.delta(2, 'a');
    vi.advanceTimersByTime(1000);
    es.delta(3, 'b');
    vi.advanceTimersByTime(3999); // silent, but not yet for the limit
    expect(FakeEventSource.last).toBe(es);
    vi.advanceTimersByTime(1);
    const next = FakeEventSource.last!;
    expect(next).not.toBe(es);
    expect(es.closed).toBe(true);
    expect(next.url).toBe('/api/chat/r1/stream?lastEventId=3');
    expect(reconnecting).toEqual([false, true]);

    es.delta(4, 'late'); // the replaced connection: ignored
    next.open();
    expect(reconnecting).toEqual([false, true, false]);
    next.delta(3, 'b'); // already taken: not handed on twice
    next.delta(4, 'c');
    next.emit('close', 5, { finishReason: 'stop' });
    expect(flushes.map((f) => f.content).join('')).toBe('abc');
    expect(flushes.at(-1)!.lastEventId).toBe(5);
    expect(ends).toEqual([['done', undefined]]);
    expect(next.closed).toBe(true);
  });

  it('does not reconnect while events keep coming within the limit', () => {
    const { es } = setup();
    es.open();
    es.emit('meta', 1, meta(1000));
    for (let id = 2; id < 12; id++) {
      vi.advanceTimersByTime(3500);
      es.delta(id, 'x');
    }
    expect(FakeEventSource.last).toBe(es);
  });

  it('assumes the default heartbeat of 15 s until a meta says otherwise (a resumed reply)', () => {
    const { es } = setup(7);
    es.open();
    vi.advanceTimersByTime(32_999);
    expect(FakeEventSource.last).toBe(es);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.last!.url).toBe('/api/chat/r1/stream?lastEventId=7');
  });

  it('keeps reconnecting, one connection at a time, while nothing comes (offline)', () => {
    const { es } = setup();
    es.emit('meta', 1, meta(1000));
    const all = [es];
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(4000);
      all.push(FakeEventSource.last!);
    }
    expect(new Set(all).size).toBe(4);
    expect(all.slice(0, 3).every((s) => s.closed)).toBe(true);
    expect(all[3]!.closed).toBe(false);
    expect(all[3]!.url).toBe('/api/chat/r1/stream?lastEventId=1');
  });

  it('reconnects at once when a tab hidden longer than the heartbeat, with nothing heard, shows', () => {
    const { es, reconnecting } = setup();
    es.open();
    es.emit('meta', 1, meta(1000));
    es.delta(2, 'a');
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(1500);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    const next = FakeEventSource.last!;
    expect(next).not.toBe(es);
    expect(next.url).toBe('/api/chat/r1/stream?lastEventId=2');
    expect(reconnecting).toEqual([false, true]);
  });

  it('does not reconnect when the tab was hidden briefly, or events came while it was', () => {
    const { es } = setup();
    es.open();
    es.emit('meta', 1, meta(1000));
    // Hidden for less than the heartbeat.
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(900);
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(FakeEventSource.last).toBe(es);
    // Hidden for long, but the reply kept streaming.
    doc.hidden = true;
    doc.dispatchEvent(new Event('visibilitychange'));
    for (let id = 2; id < 6; id++) {
      vi.advanceTimersByTime(800);
      es.delta(id, 'x');
    }
    doc.hidden = false;
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(FakeEventSource.last).toBe(es);
  });

  it('reconnects at once when the browser comes back online', () => {
    const { es, reconnecting } = setup(4);
    es.open();
    win.dispatchEvent(new Event('online'));
    expect(FakeEventSource.last).not.toBe(es);
    expect(FakeEventSource.last!.url).toBe('/api/chat/r1/stream?lastEventId=4');
    expect(es.closed).toBe(true);
    expect(reconnecting).toEqual([false, true]);
  });

  it('watches nothing once the reply ended or was closed from outside', () => {
    const { es } = setup();
    es.emit('meta', 1, meta(1000));
    es.emit('close', 2, { finishReason: 'stop' });
    vi.advanceTimersByTime(60_000);
    win.dispatchEvent(new Event('online'));
    expect(FakeEventSource.last).toBe(es);

    const other = setup();
    other.watching.close();
    vi.advanceTimersByTime(60_000);
    win.dispatchEvent(new Event('online'));
    expect(FakeEventSource.last).toBe(other.es);
  });
});
