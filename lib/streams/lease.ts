/**
 * Who runs a reply, with several instances: a lease in Redis that the running instance keeps
 * renewing. If the instance crashes or hangs, the lease lapses and another instance may take the
 * reply over; `SET NX` makes sure exactly one does.
 *
 * `Leases` holds this instance's leases: it renews them all at once (one pipeline), keeps
 * an index of lease expiries (a sorted set) so that other instances find lapsed ones without
 * scanning, and reports a lease it lost (someone else holds it now) through `onLost`. Redis is
 * reached through the small `LeaseStore` interface, so the logic is tested with a fake one.
 */
import type { Redis } from 'ioredis';

export interface LeaseStore {
  /** Takes the lease if nobody holds it; true when this owner has it now. */
  acquire(id: string, owner: string, ms: number, now: number): Promise<boolean>;
  /**
   * Extends the leases this owner still holds; per id, false when it no longer holds it. A lease
   * that lapsed is taken back if nobody took it since (the index still has `expiries[i]`, the
   * expiry this owner wrote last) or if Redis lost it (see RENEW).
   */
  renew(
    ids: string[],
    owner: string,
    ms: number,
    now: number,
    expiries: number[],
  ): Promise<boolean[]>;
  /** Lets the lease go (only if this owner holds it); `lapsed` marks it for takeover now. */
  release(id: string, owner: string): Promise<void>;
  /** Ids whose lease expired by `now`, at most `limit` of them. */
  lapsed(now: number, limit: number): Promise<string[]>;
  /** The reply is finished: forget it in the index. */
  forget(id: string): Promise<void>;
}

export class Leases {
  /** The leases held, each with the expiry this instance wrote last. */
  private readonly held = new Map<string, number>();
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    readonly owner: string,
    private readonly options: {
      leaseMs: number;
      /** A lease this instance held is someone else's now: stop running that reply. */
      onLost: (id: string) => void;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  has(id: string): boolean {
    return this.held.has(id);
  }

  /** Until when this instance's lease of `id` surely holds (undefined: it holds none). */
  expiry(id: string): number | undefined {
    return this.held.get(id);
  }

  /** Takes the lease of `id`; true when it is this instance's now. */
  async acquire(id: string): Promise<boolean> {
    const now = this.now();
    const won = await this.store.acquire(id, this.owner, this.options.leaseMs, now);
    if (won) this.held.set(id, now + this.options.leaseMs);
    return won;
  }

  /** Gives the lease up: `forget` when the reply is finished, else it is left for a takeover. */
  async release(id: string, { forget = false } = {}): Promise<void> {
    if (!this.held.delete(id)) return;
    await this.store.release(id, this.owner);
    if (forget) await this.store.forget(id);
  }

  /** Renews every lease held, once (the hub calls it three times per lease period). */
  renew(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    // One renewal at a time; a caller during one waits for it.
    this.renewing ??= this.renewAll().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewAll(): Promise<void> {
    const ids = [...this.held.keys()];
    const expiries = ids.map((id) => this.held.get(id)!);
    const now = this.now();
    const { leaseMs } = this.options;
    try {
      const kept = await this.store.renew(ids, this.owner, leaseMs, now, expiries);
      ids.forEach((id, i) => {
        if (kept[i] === false) {
          if (this.held.delete(id)) this.options.onLost(id);
        } else if (this.held.has(id)) {
          this.held.set(id, now + leaseMs);
        }
      });
    } catch {
      // Redis unreachable: try again at the next tick. If it stays away longer than the lease,
      // another instance may take over once it is back; the next renewal then reports it lost
      // (or takes the lease back if nobody did).
    }
  }

  /** Leases of other instances that lapsed (candidates for a takeover). */
  lapsed(limit = 50): Promise<string[]> {
    return this.store.lapsed(this.now(), limit);
  }
}

// Compare-and-extend / compare-and-delete: only the owner may renew or release its lease.
// A lease that nobody holds is taken back by its owner (still running the reply) when nobody
// took it in between: the index still holds the expiry this owner wrote last (the lease lapsed
// because the owner was slow, e.g. a busy machine delayed its timer), or Redis lost the lease
// and its index entry (restarted empty, flushed) and the reply is not marked done. Without this,
// the owner gave the reply up and another instance (or itself) continued it from what Redis
// had, while the owner's own followers had already seen frames not yet written there: text was
// repeated or lost. A lease someone else acquired meanwhile (another expiry in the index, or
// none and the reply done) is not taken back. This script and SET NX in `acquire` are atomic.
const RENEW = `local holder = redis.call('get', KEYS[1])
local mine = holder == ARGV[1]
if not holder then
  local expiry = redis.call('zscore', KEYS[2], ARGV[4])
  if expiry then
    mine = tonumber(expiry) == tonumber(ARGV[5])
  else
    mine = redis.call('hget', KEYS[3], 'done') ~= '1'
  end
end
if mine then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('zadd', KEYS[2], ARGV[3], ARGV[4])
  return 1
end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  redis.call('zadd', KEYS[2], 0, ARGV[2])
end
return 0`;

/**
 * The lease store in Redis: `<p>r:<id>:lease` holds the owner; `<p>leases` indexes expiries;
 * renewing reads the reply's `done` flag in `<p>r:<id>:m` (see RENEW).
 */
export function redisLeaseStore(redis: Redis, prefix: string): LeaseStore {
  const lease = (id: string) => `${prefix}r:${id}:lease`;
  const index = `${prefix}leases`;
  return {
    async acquire(id, owner, ms, now) {
      const ok = await redis.set(lease(id), owner, 'PX', ms, 'NX');
      if (ok !== 'OK') return false;
      await redis.zadd(index, now + ms, id);
      return true;
    },
    async renew(ids, owner, ms, now, expiries) {
      const pipeline = redis.pipeline();
      ids.forEach((id, i) => {
        const meta = `${prefix}r:${id}:m`;
        pipeline.eval(RENEW, 3, lease(id), index, meta, owner, ms, now + ms, id, expiries[i]!);
      });
      const results = (await pipeline.exec()) ?? [];
      return ids.map((_, i) => {
        const [error, value] = results[i] ?? [new Error('no result')];
        if (error) throw error;
        return value === 1;
      });
    },
    async release(id, owner) {
      await redis.eval(RELEASE, 2, lease(id), index, owner, id);
    },
    async lapsed(now, limit) {
      return redis.zrangebyscore(index, '-inf', now, 'LIMIT', 0, limit);
    },
    async forget(id) {
      await redis.zrem(index, id);
    },
  };
}
