/**
 * The in-memory reply store: every reply's events, already framed as SSE, kept so that any
 * follower can start from any event id, plus the lifetime rules of ../shared/API.md:
 *
 * - a reply keeps generating while it has a follower, and for `graceMs` after the last one
 *   leaves (and between creation and the first follower); then `onAbandon` aborts the upstream;
 * - a finished reply stays replayable for `ttlMs`, then is evicted (404 from then on);
 * - memory is bounded: each reply by `maxReplyBytes`, all of them by `maxBytes` and
 *   `maxReplies`, evicting the oldest finished replies first and refusing new ones when only
 *   live replies are left.
 *
 * Event ids are 1-based positions in `frames`, so replay after `Last-Event-ID: n` is
 * `frames.slice(n)`. Time comes from the injected clock and timers, so tests can drive it.
 */
import { randomBytes } from 'node:crypto';
import { encodeJsonEvent } from '@/lib/sse/frame';
import type { FinishReason, MetaData, ReplyEvent } from '@/lib/chat/protocol';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface StoreOptions {
  graceMs: number;
  ttlMs: number;
  maxReplyBytes: number;
  maxBytes: number;
  maxReplies: number;
  timers?: Timers;
  /**
   * Act on `leave()` beacons. Only where the platform hides disconnects (Vercel): elsewhere a
   * leaving page detaches by itself, and a late beacon could only do harm.
   */
  honourLeave?: boolean;
}

export type EndCause = 'stopped' | 'abandoned' | 'disconnected' | 'too_large' | 'shutdown';

/**
 * What happens to the store's replies, for whoever needs to know (the Redis hub copies frames
 * out; metrics count). The store calls listeners; it never calls them for anything else.
 */
export interface StoreListener {
  /** A reply was created here, or adopted from another instance. */
  created?(reply: Reply): void;
  /** A frame was appended (in order; `reply.lastEventId` is its id), made from `event`. */
  appended?(reply: Reply, frame: string, event: ReplyEvent): void;
  /** The reply's `close` was appended: it is done. */
  finished?(reply: Reply): void;
  /** The reply was ended from outside its generator (stop, grace, limits, shutdown). */
  ended?(reply: Reply, cause: EndCause): void;
  /** The reply left this store without ending (handed over to another instance). */
  released?(reply: Reply): void;
  /** A finished reply's time was up: it is gone from the store. */
  evicted?(reply: Reply): void;
}

/** A leave beacon this soon after a follower attached is taken as stale (see `leave`). */
const LEAVE_AFTER_ATTACH_MS = 5_000;

export class StoreFullError extends Error {
  constructor() {
    super('reply store full');
  }
}

/** Something waiting for a reply's next events (a follower's pending read). */
type Waiter = () => void;

export class Reply {
  readonly frames: string[] = [];
  bytes = 0;
  done = false;
  finishReason: FinishReason | undefined;
  followers = 0;
  /**
   * Set when the reply left this instance without ending (handed over to another): followers
   * end their response after what they have, without `close`, so that clients reconnect.
   */
  movedAway = false;
  /** What was asked (the messages), kept so that another instance can continue the reply. */
  request: unknown;
  /** The generation settings it was asked with (`params`), kept for the same reason. */
  params: unknown;
  /** Aborts the upstream request; the generator listens to its signal. */
  readonly upstream = new AbortController();
  endedAt: number | undefined;
  private waiters = new Set<Waiter>();
  private wakeScheduled = false;
  private batching = false;
  graceTimer: unknown;
  /** Set by `leave()`: ends the reply after the grace period unless a follower attaches. */
  leaveTimer: unknown;
  lastAttachAt = -Infinity;
  evictTimer: unknown;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly created: number,
  ) {}

  get lastEventId(): number {
    return this.frames.length;
  }

  /**
   * Frames after this id are held back from followers (and from Redis): set by an owner that
   * is not sure its lease still holds, until it is (see redis-hub.ts). Undefined: none held.
   */
  fence: number | undefined;

  /** The last event id followers may be sent. */
  get visibleEventId(): number {
    return this.fence ?? this.frames.length;
  }

  /** Lets held-back frames go. */
  lift(): void {
    if (this.fence === undefined) return;
    this.fence = undefined;
    this.wake();
  }

  /**
   * Adds frames copied from elsewhere (a mirror of a reply generated on another instance);
   * `done` when the last of them is the `close` event.
   */
  pushFrames(frames: string[], done: boolean): void {
    if (this.done) return;
    for (const f of frames) this.frames.push(f);
    if (done) {
      this.done = true;
      this.wake();
    } else {
      this.scheduleWake();
    }
  }

  /** Calls `waiter` once, at the next wake (new events or the end). */
  addWaiter(waiter: Waiter): void {
    this.waiters.add(waiter);
  }

  wake(): void {
    const waiters = this.waiters;
    if (waiters.size === 0) return;
    this.waiters = new Set();
    for (const w of waiters) w();
  }

  /**
   * Runs `fn`, which appends what one network read delivered, and wakes followers once at its
   * end: the whole read goes out in one write, without waiting for the next turn.
   */
  batch(fn: () => void): void {
    this.batching = true;
    try {
      fn();
    } finally {
      this.batching = false;
      this.wake();
    }
  }

  /**
   * Wakes followers once per event-loop turn rather than once per event: everything the
   * upstream delivered in one network read then goes out in one write.
   */
  scheduleWake(): void {
    if (this.batching || this.wakeScheduled || this.waiters.size === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wake();
    });
  }
}

export class ReplyStore {
  private replies = new Map<string, Reply>();
  private totalBytes = 0;
  private readonly timers: Timers;
  private listeners: StoreListener[] = [];

  constructor(private readonly options: StoreOptions) {
    this.timers = options.timers ?? realTimers;
  }

  /** Calls `listener` with what happens from now on; returns the unsubscribe. */
  subscribe(listener: StoreListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  get size(): number {
    return this.replies.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** A new reply; its `meta` event carries `extra` (the heartbeat period, omitted messages). */
  create(model: string, extra: Pick<MetaData, 'heartbeatMs' | 'omittedMessages'> = {}): Reply {
    this.makeRoom();
    // 144 random bits, URL-safe: unguessable and not enumerable.
    const id = randomBytes(18).toString('base64url');
    const reply = new Reply(id, model, Math.floor(this.timers.now() / 1000));
    this.replies.set(id, reply);
    for (const l of this.listeners) l.created?.(reply);
    this.append(reply, { event: 'meta', data: { id, model, created: reply.created, ...extra } });
    this.startGrace(reply);
    return reply;
  }

  /**
   * Takes in a running reply whose frames came from elsewhere (another instance that stopped):
   * from here on it is this store's, under the same id, with the same lifetime rules.
   */
  adopt(reply: Reply): void {
    this.makeRoom();
    const held = this.replies.get(reply.id);
    if (held) this.forget(held);
    this.replies.set(reply.id, reply);
    reply.bytes = reply.frames.reduce((n, f) => n + f.length, 0);
    this.totalBytes += reply.bytes;
    for (const l of this.listeners) l.created?.(reply);
    if (reply.followers === 0) this.startGrace(reply);
  }

  /**
   * Lets a running reply go without ending it (another instance carries it on): the upstream
   * is aborted, local followers end their responses so that their clients reconnect.
   */
  release(reply: Reply): void {
    if (reply.done || this.replies.get(reply.id) !== reply) return;
    reply.movedAway = true;
    this.clearTimers(reply);
    this.forget(reply);
    reply.upstream.abort('released');
    for (const l of this.listeners) l.released?.(reply);
    reply.wake();
  }

  get(id: string): Reply | undefined {
    return this.replies.get(id);
  }

  /** What the store holds, for the health endpoint. */
  stats(): { replies: number; running: number; bytes: number } {
    return { replies: this.replies.size, running: this.running().length, bytes: this.totalBytes };
  }

  /** Replies still generating. */
  running(): Reply[] {
    return [...this.replies.values()].filter((r) => !r.done);
  }

  /** Adds one event; ignored once the reply has ended. Returns false when it was not added. */
  append(reply: Reply, event: ReplyEvent): boolean {
    if (reply.done || reply.movedAway) return false;
    const frame = encodeJsonEvent(event.event, reply.frames.length + 1, event.data);
    // Frames are ASCII-heavy; length is a cheap, close-enough measure of memory held.
    if (
      reply.bytes + frame.length > this.options.maxReplyBytes &&
      event.event !== 'close' &&
      event.event !== 'error'
    ) {
      this.end(reply, 'too_large');
      return false;
    }
    reply.frames.push(frame);
    for (const l of this.listeners) l.appended?.(reply, frame, event);
    reply.bytes += frame.length;
    this.totalBytes += frame.length;
    if (event.event === 'close') this.markDone(reply, event.data.finishReason);
    else reply.scheduleWake();
    return true;
  }

  /** Ends a reply that is still running, from outside its generator (stop, grace, limits). */
  end(reply: Reply, cause: EndCause): boolean {
    if (reply.done || reply.movedAway) return false;
    if (cause === 'too_large') {
      this.append(reply, {
        event: 'error',
        data: {
          code: 'reply_too_large',
          message: 'The reply grew past the size this server keeps, so it was cut short.',
          retryable: false,
        },
      });
      this.append(reply, { event: 'close', data: { finishReason: 'length' } });
    } else if (cause === 'shutdown') {
      this.append(reply, {
        event: 'error',
        data: {
          code: 'server_restarting',
          message: 'The server restarted before the reply was complete. Continue to pick it up.',
          retryable: true,
        },
      });
      this.append(reply, { event: 'close', data: { finishReason: 'error' } });
    } else {
      this.append(reply, { event: 'close', data: { finishReason: 'stopped' } });
    }
    reply.upstream.abort(cause);
    for (const l of this.listeners) l.ended?.(reply, cause);
    return true;
  }

  /** `DELETE /api/chat/{id}`: false when the id is unknown. */
  stop(id: string): boolean {
    const reply = this.replies.get(id);
    if (!reply) return false;
    this.end(reply, 'stopped');
    return true;
  }

  attach(reply: Reply): void {
    reply.followers++;
    reply.lastAttachAt = this.timers.now();
    if (reply.graceTimer !== undefined) {
      this.timers.clearTimeout(reply.graceTimer);
      reply.graceTimer = undefined;
    }
    if (reply.leaveTimer !== undefined) {
      this.timers.clearTimeout(reply.leaveTimer);
      reply.leaveTimer = undefined;
    }
  }

  /**
   * The page that followed this reply went away (a beacon from `pagehide`). Where the platform
   * reports disconnects this changes nothing; where it does not (Vercel), it is what lets an
   * abandoned reply end: unless a follower attaches within the grace period (a reload does), the
   * reply ends as abandoned, whatever the follower count says.
   */
  leave(id: string): boolean {
    const reply = this.replies.get(id);
    if (!reply) return false;
    if (!this.options.honourLeave || reply.done || reply.leaveTimer !== undefined) return true;
    // A beacon can arrive after the reloaded page has already attached again: ignore it then.
    if (this.timers.now() - reply.lastAttachAt < LEAVE_AFTER_ATTACH_MS) return true;
    reply.leaveTimer = this.timers.setTimeout(() => {
      reply.leaveTimer = undefined;
      this.end(reply, 'abandoned');
    }, this.options.graceMs);
    return true;
  }

  /**
   * A follower left. `owner` is the response of a one-request `POST`: the reply belongs to it,
   * so its leaving ends the reply at once, whoever else follows.
   */
  detach(reply: Reply, owner = false): void {
    reply.followers = Math.max(0, reply.followers - 1);
    if (reply.done || reply.movedAway) return;
    if (owner) this.end(reply, 'disconnected');
    else if (reply.followers === 0) this.startGrace(reply);
  }

  private startGrace(reply: Reply): void {
    if (reply.graceTimer !== undefined) this.timers.clearTimeout(reply.graceTimer);
    reply.graceTimer = this.timers.setTimeout(() => {
      reply.graceTimer = undefined;
      if (reply.followers > 0 || reply.done) return;
      this.end(reply, 'abandoned');
    }, this.options.graceMs);
  }

  private markDone(reply: Reply, finishReason: FinishReason): void {
    reply.done = true;
    this.clearTimers(reply);
    reply.finishReason = finishReason;
    reply.endedAt = this.timers.now();
    reply.evictTimer = this.timers.setTimeout(() => this.evict(reply), this.options.ttlMs);
    for (const l of this.listeners) l.finished?.(reply);
    // The end goes out at once: nothing more will come to batch with it.
    reply.wake();
  }

  private clearTimers(reply: Reply): void {
    for (const key of ['leaveTimer', 'graceTimer'] as const) {
      if (reply[key] !== undefined) {
        this.timers.clearTimeout(reply[key]);
        reply[key] = undefined;
      }
    }
  }

  private evict(reply: Reply): void {
    if (this.replies.get(reply.id) !== reply) return;
    this.timers.clearTimeout(reply.evictTimer);
    this.forget(reply);
    for (const l of this.listeners) l.evicted?.(reply);
  }

  private forget(reply: Reply): void {
    this.replies.delete(reply.id);
    this.totalBytes -= reply.bytes;
  }

  /** Every reply held here, running or finished (for a resync of the Redis replica). */
  all(): IterableIterator<Reply> {
    return this.replies.values();
  }

  /** Evicts the oldest finished replies until a new one fits; throws when none can go. */
  private makeRoom(): void {
    const { maxBytes, maxReplies } = this.options;
    if (this.totalBytes < maxBytes && this.replies.size < maxReplies) return;
    // Map order is creation order, so this walks oldest first.
    for (const reply of this.replies.values()) {
      if (this.totalBytes < maxBytes && this.replies.size < maxReplies) return;
      if (reply.done) this.evict(reply);
    }
    if (this.totalBytes >= maxBytes || this.replies.size >= maxReplies) throw new StoreFullError();
  }
}
