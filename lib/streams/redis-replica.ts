/**
 * The owner's side of Redis: a replica of this instance's replies, written back whenever it
 * falls behind. The instance generating a reply holds its whole event log (the truth); Redis
 * holds a copy that other instances read. For each reply the replica remembers the last event
 * id Redis is known to have; a flush writes what comes after it (one pipeline per event-loop
 * turn for all replies), and only a successful write moves that mark. So frames generated while
 * Redis was down or slow are written once it answers again, and nothing is written twice (an
 * entry id that is already there is refused by Redis, which is harmless).
 *
 * Redis may also come back empty (a restart without persistence, a failover, a flush). Every
 * flush checks that the reply's meta hash still exists; on reconnect every held reply is
 * checked. A reply Redis lost is rewritten whole, atomically (MULTI), so that a reader never
 * sees half of it.
 *
 * Keys: `<p>r:<id>:e` (stream, entry `0-N` = event N, field `f`), `<p>r:<id>:m` (hash: model,
 * created, done), `<p>r:<id>:q` (the request, for a takeover); channel `<p>n:<id>` (last id).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Reply } from '@/lib/streams/reply-store';

export interface ReplicaOptions {
  redis: Redis;
  key(...parts: string[]): string;
  ttlMs: number;
  /** How long a running reply's keys may live at most (a crashed owner leaves no garbage). */
  maxLifeMs: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Redis refuses an entry id at or below the stream's last: that entry is already there. */
const ALREADY_THERE = /equal or smaller/i;

export class Replica {
  /** Last event id Redis is known to hold, per reply. */
  private readonly synced = new Map<Reply, number>();
  private readonly dirty = new Set<Reply>();
  private scheduled = false;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: ReplicaOptions) {}

  /** Starts replicating a reply (new here, or adopted with frames already in Redis). */
  track(reply: Reply, alreadyInRedis = 0): void {
    this.synced.set(reply, alreadyInRedis);
    this.touch(reply);
  }

  /** Stops replicating a reply (evicted, or handed over to another instance). */
  untrack(reply: Reply): void {
    this.synced.delete(reply);
    this.dirty.delete(reply);
  }

  /** The reply has new frames: write them with the next flush. */
  touch(reply: Reply): void {
    if (!this.synced.has(reply)) return;
    this.dirty.add(reply);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** Whether Redis holds every frame of `reply` (a hand-over waits for this). */
  upToDate(reply: Reply): boolean {
    return (this.synced.get(reply) ?? 0) >= reply.lastEventId && !this.dirty.has(reply);
  }

  /** Writes what Redis lacks; resolves when this round is written (or failed). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    if (this.dirty.size === 0) return Promise.resolve();
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** After a reconnect: check every reply, rewrite the ones Redis lost, write what is behind. */
  async recover(): Promise<void> {
    const replies = [...this.synced.keys()];
    if (replies.length === 0) return;
    const { redis, key } = this.options;
    const pipeline = redis.pipeline();
    for (const reply of replies) pipeline.exists(key('r', reply.id, 'm'));
    const results = (await pipeline.exec()) ?? [];
    await Promise.all(
      replies.map(async (reply, i) => {
        const [error, exists] = results[i] ?? [new Error('no result')];
        if (error) return;
        if (exists === 0) await this.rewrite(reply);
        else this.touch(reply);
      }),
    );
    await this.flush();
  }

  private async write(): Promise<void> {
    const batch = [...this.dirty];
    this.dirty.clear();
    const { redis, key } = this.options;
    const pipeline = redis.pipeline();
    const spans: { reply: Reply; from: number; to: number; first: number; count: number }[] = [];
    for (const reply of batch) {
      const from = this.synced.get(reply);
      if (from === undefined) continue;
      const to = reply.lastEventId;
      const first = commandCount(pipeline);
      const meta = key('r', reply.id, 'm');
      if (from === 0) {
        pipeline.hset(meta, { model: reply.model, created: String(reply.created), done: '0' });
        if (reply.request !== undefined) {
          pipeline.set(key('r', reply.id, 'q'), JSON.stringify(reply.request));
        }
      } else {
        // 1 when the hash was gone: Redis lost this reply (restart, flush), rewrite it.
        pipeline.hsetnx(meta, 'created', String(reply.created));
      }
      this.append(pipeline, reply, from, to);
      spans.push({ reply, from, to, first, count: commandCount(pipeline) - first });
    }
    if (spans.length === 0) return;
    let results: [Error | null, unknown][];
    try {
      results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    } catch (error) {
      for (const { reply } of spans) this.dirty.add(reply);
      this.options.log?.('redis write failed', { error: (error as Error).message });
      return;
    }
    const lost: Reply[] = [];
    for (const { reply, from, to, first, count } of spans) {
      const mine = results.slice(first, first + count);
      const failed = mine.find(([error]) => error && !ALREADY_THERE.test(error.message));
      if (failed) {
        this.dirty.add(reply);
        continue;
      }
      if (from > 0 && mine[0]?.[1] === 1) lost.push(reply);
      else if (this.synced.has(reply))
        this.synced.set(reply, Math.max(to, this.synced.get(reply)!));
    }
    for (const reply of lost) await this.rewrite(reply);
  }

  /** XADDs of frames from+1..to, the done flag, expiries and the notification. */
  private append(pipeline: ChainableCommander, reply: Reply, from: number, to: number): void {
    const { key, ttlMs, maxLifeMs } = this.options;
    const stream = key('r', reply.id, 'e');
    for (let id = from + 1; id <= to; id++) {
      pipeline.xadd(stream, `0-${id}`, 'f', reply.frames[id - 1]!);
    }
    const done = reply.done && to === reply.lastEventId;
    if (done) pipeline.hset(key('r', reply.id, 'm'), 'done', '1');
    const ttl = done ? ttlMs : maxLifeMs;
    for (const k of ['e', 'm', 'q']) pipeline.pexpire(key('r', reply.id, k), ttl);
    pipeline.publish(key('n', reply.id), String(to));
  }

  /** Writes the whole reply again in one transaction (Redis lost it). */
  private async rewrite(reply: Reply): Promise<void> {
    const { redis, key } = this.options;
    const multi = redis.multi();
    multi.del(key('r', reply.id, 'e'));
    multi.hset(key('r', reply.id, 'm'), {
      model: reply.model,
      created: String(reply.created),
      done: '0',
    });
    if (reply.request !== undefined)
      multi.set(key('r', reply.id, 'q'), JSON.stringify(reply.request));
    const to = reply.lastEventId;
    this.append(multi, reply, 0, to);
    try {
      await multi.exec();
      if (this.synced.has(reply)) this.synced.set(reply, to);
      this.options.log?.('redis: reply written back', { id: reply.id, events: to });
      if (reply.lastEventId > to) this.touch(reply);
    } catch (error) {
      this.dirty.add(reply);
      this.options.log?.('redis write failed', { error: (error as Error).message });
    }
  }
}

function commandCount(pipeline: ChainableCommander): number {
  return (pipeline as unknown as { length: number }).length;
}
