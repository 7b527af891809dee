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
   * Extends the leases this owner still holds (or takes back one that is gone); per id, false
   * when another owner holds it now.
   */
  renew(ids: string[], owner: string, ms: number, now: number): Promise<boolean[]>;
  /** Lets the lease go (only if this owner holds it); `lapsed` marks it for takeover now. */
  release(id: string, owner: string): Promise<void>;
  /** Ids whose lease expired by `now`, at most `limit` of them. */
  lapsed(now: number, limit: number): Promise<string[]>;
  /** The reply is finished: forget it in the index. */
  forget(id: string): Promise<void>;
}

export class Leases {
  private readonly held = new Set<string>();
  private renewing = false;

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

  /** Takes the lease of `id`; true when it is this instance's now. */
  async acquire(id: string): Promise<boolean> {
    const won = await this.store.acquire(id, this.owner, this.options.leaseMs, this.now());
    if (won) this.held.add(id);
    return won;
  }

  /** Gives the lease up: `forget` when the reply is finished, else it is left for a takeover. */
  async release(id: string, { forget = false } = {}): Promise<void> {
    if (!this.held.delete(id)) return;
    await this.store.release(id, this.owner);
    if (forget) await this.store.forget(id);
  }

  /** Renews every lease held, once (the hub calls it three times per lease period). */
  async renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const ids = [...this.held];
    try {
      const kept = await this.store.renew(ids, this.owner, this.options.leaseMs, this.now());
      ids.forEach((id, i) => {
        if (kept[i] === false && this.held.delete(id)) this.options.onLost(id);
      });
    } catch {
      // Redis unreachable: try again at the next tick. If it stays away longer than the lease,
      // another instance may take over once it is back; the next renewal then reports it lost.
    } finally {
      this.renewing = false;
    }
  }

  /** Leases of other instances that lapsed (candidates for a takeover). */
  lapsed(limit = 50): Promise<string[]> {
    return this.store.lapsed(this.now(), limit);
  }
}

// Only the owner may renew or release its lease. A lease that is gone altogether (Redis
// restarted empty, or it lapsed and nobody took it) is the owner's again: it is still running.
const RENEW = `local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] or not holder then
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

/** The lease store in Redis: `<p>r:<id>:lease` holds the owner; `<p>leases` indexes expiries. */
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
    async renew(ids, owner, ms, now) {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.eval(RENEW, 2, lease(id), index, owner, ms, now + ms, id);
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
