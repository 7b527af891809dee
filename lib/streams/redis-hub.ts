/**
 * Replies in Redis, for several instances behind one address. Three parts, wired here:
 *
 * - the replica (redis-replica.ts): the instance generating a reply (its owner) keeps the whole
 *   event log and copies it into a Redis Stream, writing back whatever Redis lacks;
 * - mirrors (redis-mirror.ts): another instance asked for the reply follows that stream, applying
 *   events by id;
 * - leases (lease.ts): the owner renews a lease per running reply. When one lapses (the owner
 *   crashed or hangs), another instance takes the reply over: it loads the stream, announces a
 *   `notice` (`continued`) and asks the model to go on from the text so far, under the same id
 *   with the next event ids. A draining instance hands its running replies over the same way.
 *
 * The hub listens to the local store (what is created, appended, finished) and acts on it; the
 * store knows nothing of Redis. A stop or a leave beacon on any instance is published on a
 * control channel and carried out by the owner. While a mirror has followers it refreshes the
 * reply's `seen` key, which the owner counts as one follower (so the reply is not abandoned).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Reply, type ReplyStore } from '@/lib/streams/reply-store';
import type { Found, ReplyHub } from '@/lib/streams/hub';
import { Leases, redisLeaseStore } from '@/lib/streams/lease';
import { Replica } from '@/lib/streams/redis-replica';
import { applyById, Mirrors, type StreamEntry } from '@/lib/streams/redis-mirror';
import {
  CONTINUED_NOTICE,
  continuation,
  endsWithClose,
  textOf,
  type Carried,
} from '@/lib/streams/takeover';

export interface RedisHubOptions {
  url: string;
  prefix?: string;
  graceMs: number;
  ttlMs: number;
  /** How long a running reply's keys may live at most (a crashed owner leaves no garbage). */
  maxLifeMs: number;
  /** How long an owner's lease lasts without renewal (it renews three times per period). */
  leaseMs: number;
  /** Whether this instance may take replies over (not while it drains). */
  accepting: () => boolean;
  /**
   * Carries on a reply taken over from a stopped instance: `messages` is the request that
   * continues it from `text` (the answer so far), `params` the settings it was asked with as
   * stored (unchecked; undefined when it had none or a version that kept none stored it).
   */
  carryOn: (reply: Reply, carried: Carried) => void;
  /** Takeovers and hand-overs, for the metrics. */
  onEvent?: (event: 'takeover' | 'handover' | 'lease_lost', reply: Reply) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class RedisHub implements ReplyHub {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  readonly instance = randomBytes(9).toString('base64url');
  private readonly replica: Replica;
  private readonly mirrors: Mirrors;
  private readonly leases: Leases;
  /** Local replies that have followers on other instances, counted as one follower here. */
  private readonly remote = new Set<Reply>();
  private readonly tick: ReturnType<typeof setInterval>;
  private connectedBefore = false;
  /** Whether this instance's marker key was written once (see checkMarker). */
  private marked = false;

  constructor(
    readonly local: ReplyStore,
    private readonly options: RedisHubOptions,
  ) {
    this.prefix = options.prefix ?? 'streamchat:';
    const log = options.log;
    // Commands fail at once while Redis is unreachable (no offline queue), so requests get a
    // clear 503 instead of hanging; the clients keep reconnecting in the background.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    // The subscriber queues its SUBSCRIBEs until connected (they are re-sent on reconnect).
    this.sub = new Redis(options.url, { maxRetriesPerRequest: 1 });
    for (const client of [this.redis, this.sub]) {
      client.on('error', (error: Error) => log?.('redis error', { error: error.message }));
    }
    this.redis.on('ready', () => {
      // Back after an outage (or a restart that lost everything): write back what is missing.
      if (this.connectedBefore) void this.replica.recover().catch(() => {});
      this.connectedBefore = true;
    });
    // Notifications sent while the subscriber was away are lost: look at every mirror again.
    this.sub.on('ready', () => this.mirrors.refetchAll());
    void this.sub.subscribe(this.key('ctl'));
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));

    const key = (...parts: string[]) => this.key(...parts);
    this.replica = new Replica({
      redis: this.redis,
      key,
      ttlMs: options.ttlMs,
      maxLifeMs: options.maxLifeMs,
      log,
    });
    this.mirrors = new Mirrors({
      redis: this.redis,
      key,
      graceMs: options.graceMs,
      listen: (channel) => this.sub.subscribe(channel),
      unlisten: (channel) => this.sub.unsubscribe(channel),
      log,
    });
    this.leases = new Leases(redisLeaseStore(this.redis, this.prefix), this.instance, {
      leaseMs: options.leaseMs,
      onLost: (id) => this.lost(id),
    });
    local.subscribe({
      created: (reply) => this.replica.track(reply),
      appended: (reply) => {
        this.fenceUnlessLeased(reply);
        this.replica.touch(reply);
      },
      evicted: (reply) => this.replica.untrack(reply),
    });
    // Three times per lease period: renew leases, see who follows elsewhere, find lapsed ones.
    this.tick = setInterval(
      () => void this.onTick(),
      Math.max(50, Math.floor(options.leaseMs / 3)),
    );
    this.tick.unref?.();
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** False while the command connection is down: new replies are refused then. */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  async ready(timeoutMs: number): Promise<boolean> {
    if (this.available) return true;
    // Still connecting (a cold start): wait for it, briefly. Down for good: answer at once.
    if (!['connecting', 'connect', 'wait'].includes(this.redis.status)) return false;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        this.redis.off('error', onError);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onError = () => done(false);
      const timer = setTimeout(() => done(this.available), timeoutMs);
      this.redis.once('ready', onReady);
      this.redis.once('error', onError);
    });
  }

  // ---- any instance -----------------------------------------------------------------------

  async find(id: string): Promise<Found | undefined> {
    const local = this.local.get(id);
    if (local) return { reply: local, registry: this.local };
    const mirror = await this.mirrors.get(id);
    return mirror ? { reply: mirror, registry: this.mirrors.registry } : undefined;
  }

  async stop(id: string): Promise<boolean> {
    if (this.local.stop(id)) return true;
    const done = await this.redis.hget(this.key('r', id, 'm'), 'done');
    if (done === null) return false;
    if (done === '0') await this.redis.publish(this.key('ctl'), JSON.stringify({ stop: id }));
    return true;
  }

  async leave(id: string): Promise<boolean> {
    if (this.local.leave(id)) return true;
    const done = await this.redis.hget(this.key('r', id, 'm'), 'done');
    if (done === null) return false;
    if (done === '0') await this.redis.publish(this.key('ctl'), JSON.stringify({ leave: id }));
    return true;
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      const pong = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000)),
      ]);
      return { ok: pong === 'PONG' };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : 'unreachable' };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.tick);
    this.mirrors.close();
    await Promise.allSettled([this.redis.quit(), this.sub.quit()]);
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.key('ctl')) {
      try {
        const { stop, leave, takeover } = JSON.parse(message) as Record<string, string>;
        if (stop) this.local.stop(stop);
        if (leave) this.local.leave(leave);
        if (takeover) void this.takeOver(takeover);
      } catch {
        /* not ours */
      }
      return;
    }
    const frames = this.key('f') + ':';
    if (channel.startsWith(frames)) this.mirrors.received(channel.slice(frames.length), message);
    else this.mirrors.notified(channel.slice(this.key('n').length + 1), Number(message));
  }

  // ---- owner side -------------------------------------------------------------------------

  /**
   * Fencing. An owner sends a frame on (to its followers, to Redis) only while its lease surely
   * holds: a quarter of the lease before it would lapse, or before the lease is taken at all, it
   * holds new frames back until the lease is confirmed. An instance that hung past its lease
   * and wakes up with tokens buffered would otherwise send text that the instance now carrying
   * the reply on never had: repeated or lost text for someone. If the lease turns out to be
   * lost, the held frames are dropped with the reply (see `lost`).
   */
  private fenceUnlessLeased(reply: Reply): void {
    if (reply.fence !== undefined || this.leaseSure(reply)) return;
    reply.fence = reply.lastEventId - 1;
    void this.confirm(reply);
  }

  private readonly confirming = new Set<Reply>();

  /** Takes or renews the lease of a fenced reply, then lets its frames go (or retries). */
  private async confirm(reply: Reply): Promise<void> {
    if (this.confirming.has(reply)) return;
    this.confirming.add(reply);
    try {
      if (this.leases.has(reply.id)) await this.leases.renew();
      else await this.leases.acquire(reply.id);
    } catch {
      // Redis unreachable: the frames wait; the next tick tries again.
    } finally {
      this.confirming.delete(reply);
    }
    this.liftIfLeased(reply);
  }

  /** This instance holds the reply's lease, and it holds for at least a quarter period more. */
  private leaseSure(reply: Reply): boolean {
    const expiry = this.leases.expiry(reply.id);
    return expiry !== undefined && Date.now() < expiry - this.options.leaseMs / 4;
  }

  private liftIfLeased(reply: Reply): void {
    if (reply.fence === undefined || reply.movedAway || !this.leaseSure(reply)) return;
    reply.lift();
    this.replica.touch(reply);
  }

  private async onTick(): Promise<void> {
    if (!this.available) return;
    await this.checkMarker().catch(() => {});
    const running = this.local.running();
    await this.leases.renew();
    // Held-back frames go once the lease is sure (a lease not taken yet is tried again).
    for (const reply of running) {
      if (reply.fence !== undefined) {
        if (this.leases.has(reply.id)) this.liftIfLeased(reply);
        else void this.confirm(reply);
      }
    }
    await this.countRemoteFollowers(running).catch(() => {});
    // Finished replies whose end is written give their lease up.
    for (const reply of this.local.all()) {
      if (reply.done && this.leases.has(reply.id) && this.replica.upToDate(reply)) {
        void this.leases.release(reply.id, { forget: true }).catch(() => {});
      }
    }
    if (this.options.accepting()) {
      const lapsed = await this.leases.lapsed().catch(() => [] as string[]);
      for (const id of lapsed) if (!this.local.get(id)) void this.takeOver(id);
    }
  }

  /**
   * Redis can lose everything while the connection stays up (FLUSHALL, FLUSHDB), and then no
   * reconnect tells the replica to write back. So each instance keeps a key of its own, set again
   * every tick: when it was gone, Redis lost its data, and the replica writes back every reply
   * held here (running and recently finished), as after a reconnect.
   */
  private async checkMarker(): Promise<void> {
    const marker = this.key('i', this.instance);
    const results = await this.redis
      .pipeline()
      .exists(marker)
      .set(marker, '1', 'PX', this.options.ttlMs)
      .exec();
    const [error, existed] = results?.[0] ?? [new Error('no result')];
    if (error) return;
    if (existed === 0 && this.marked) void this.replica.recover().catch(() => {});
    this.marked = true;
  }

  /** Replies followed on other instances count as followed here (see the header). */
  private async countRemoteFollowers(running: Reply[]): Promise<void> {
    if (running.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const reply of running) pipeline.exists(this.key('r', reply.id, 'seen'));
    const results = (await pipeline.exec()) ?? [];
    running.forEach((reply, i) => {
      const [error, seen] = results[i] ?? [new Error('no result')];
      if (error || reply.done) return;
      if (seen === 1 && !this.remote.has(reply)) {
        this.remote.add(reply);
        this.local.attach(reply);
      } else if (seen !== 1 && this.remote.delete(reply)) {
        this.local.detach(reply);
      }
    });
    for (const reply of this.remote) if (reply.done || reply.movedAway) this.remote.delete(reply);
  }

  /** Another instance holds the lease of a reply running here now: stop running it. */
  private lost(id: string): void {
    const reply = this.local.get(id);
    if (!reply || reply.done) return;
    this.options.log?.('lease lost: another instance carries the reply on', {
      id,
      events: reply.lastEventId,
    });
    this.replica.untrack(reply);
    this.local.release(reply);
    this.options.onEvent?.('lease_lost', reply);
  }

  async shared(reply: Reply, timeoutMs: number): Promise<void> {
    if (!this.available || this.replica.upToDate(reply)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.replica.flush(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  async handOver(reply: Reply): Promise<boolean> {
    if (!this.available || reply.done) return false;
    // Nothing more is generated here; everything generated is written; then the lease goes.
    this.local.release(reply);
    await this.replica.flush();
    if (!this.replica.upToDate(reply)) return false;
    this.replica.untrack(reply);
    await this.leases.release(reply.id);
    await this.redis.publish(this.key('ctl'), JSON.stringify({ takeover: reply.id }));
    this.options.log?.('reply handed over', { id: reply.id, events: reply.lastEventId });
    this.options.onEvent?.('handover', reply);
    return true;
  }

  /**
   * Carries on a reply whose owner stopped, if this instance wins its lease: loads what Redis
   * has, adopts it under the same id, announces it, and asks the model to go on.
   */
  private async takeOver(id: string): Promise<void> {
    if (!this.options.accepting() || this.local.get(id) || !this.available) return;
    let won = false;
    try {
      won = await this.leases.acquire(id);
      if (!won) return;
      const results = (await this.redis
        .pipeline()
        .hgetall(this.key('r', id, 'm'))
        .get(this.key('r', id, 'q'))
        .xrange(this.key('r', id, 'e'), '-', '+')
        .exec()) as [
        [Error | null, Record<string, string>],
        [Error | null, string | null],
        [Error | null, StreamEntry[]],
      ];
      const [[, meta], [, request], [, entries]] = results;
      const { frames } = applyById(0, entries ?? []);
      if (
        !meta?.model ||
        meta.done === '1' ||
        !request ||
        frames.length === 0 ||
        endsWithClose(frames)
      ) {
        await this.leases.release(id, { forget: true });
        return;
      }
      const reply = new Reply(id, meta.model, Number(meta.created));
      reply.pushFrames(frames, false);
      const messages = JSON.parse(request) as unknown[];
      reply.request = messages;
      reply.params = parseStored(meta.params);
      this.local.adopt(reply);
      // Redis has these frames already (tracking from the store's `created` counted none).
      this.replica.track(reply, frames.length);
      this.local.append(reply, { event: 'notice', data: { ...CONTINUED_NOTICE } });
      this.options.log?.('reply taken over', { id, events: frames.length });
      this.options.onEvent?.('takeover', reply);
      const text = textOf(frames);
      this.options.carryOn(reply, {
        messages: continuation(messages, text),
        text,
        params: reply.params,
      });
    } catch (error) {
      this.options.log?.('takeover failed', { id, error: (error as Error).message });
      if (won && !this.local.get(id)) await this.leases.release(id).catch(() => {});
    }
  }
}

/** A stored JSON value, or undefined when there is none or it does not parse. */
function parseStored(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}
