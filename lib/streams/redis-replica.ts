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
 * created, done), `<p>r:<id>:q` (the request, for a takeover); channels `<p>f:<id>` (the new
 * frames: `[from, done, [frames…]]`) and `<p>n:<id>` (the last id).
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

/** Per reply: the last event id Redis is known to hold, and the last one sent to it. */
interface Marks {
  synced: number;
  sent: number;
}

export class Replica {
  private readonly marks = new Map<Reply, Marks>();
  private readonly dirty = new Set<Reply>();
  /** Replies whose write failed: rewritten whole (atomically) rather than patched. */
  private readonly broken = new Set<Reply>();
  private readonly inflight = new Set<Promise<void>>();
  private scheduled = false;

  constructor(private readonly options: ReplicaOptions) {
    defineAppend(options.redis);
  }

  /** Starts replicating a reply (new here, or adopted with frames already in Redis). */
  track(reply: Reply, alreadyInRedis = 0): void {
    this.marks.set(reply, { synced: alreadyInRedis, sent: alreadyInRedis });
    this.touch(reply);
  }

  /** Stops replicating a reply (evicted, or handed over to another instance). */
  untrack(reply: Reply): void {
    this.marks.delete(reply);
    this.dirty.delete(reply);
    this.broken.delete(reply);
  }

  /** The reply has new frames: write them with the next flush. */
  touch(reply: Reply): void {
    if (!this.marks.has(reply)) return;
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
    const m = this.marks.get(reply);
    return !!m && m.synced >= reply.visibleEventId && !this.dirty.has(reply);
  }

  /**
   * Writes what Redis lacks; resolves when that and every write still under way are done (or
   * failed). Writes do not wait for each other: one connection keeps them in order, and each
   * sends only what no earlier one sent.
   */
  async flush(): Promise<void> {
    if (this.dirty.size > 0) {
      const round: Promise<void> = this.write().finally(() => this.inflight.delete(round));
      this.inflight.add(round);
    }
    await Promise.all([...this.inflight]);
  }

  /** After a reconnect: check every reply, rewrite the ones Redis lost, write what is behind. */
  async recover(): Promise<void> {
    const replies = [...this.marks.keys()];
    if (replies.length === 0) return;
    const { redis, key } = this.options;
    const pipeline = redis.pipeline();
    for (const reply of replies) pipeline.exists(key('r', reply.id, 'm'));
    const results = (await pipeline.exec()) ?? [];
    await Promise.all(
      replies.map(async (reply, i) => {
        const [error, exists] = results[i] ?? [new Error('no result')];
        if (error) return;
        if (exists === 0 || this.broken.has(reply)) await this.rewrite(reply);
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
    const spans: { reply: Reply; m: Marks; to: number; at: number; setup: number }[] = [];
    const rewrites: Reply[] = [];
    for (const reply of batch) {
      const m = this.marks.get(reply);
      if (!m) continue;
      if (this.broken.has(reply)) {
        rewrites.push(reply);
        continue;
      }
      const from = m.sent;
      // Held-back frames are not written either: they may never be this instance's to give.
      const to = reply.visibleEventId;
      if (to <= from) continue;
      let setup = 0;
      if (from === 0) {
        const meta = key('r', reply.id, 'm');
        pipeline.hset(meta, metaFields(reply));
        setup++;
        if (reply.request !== undefined) {
          pipeline.set(key('r', reply.id, 'q'), JSON.stringify(reply.request));
          setup++;
        }
      }
      spans.push({ reply, m, to, at: commandCount(pipeline), setup });
      this.append(pipeline, reply, from, to);
      m.sent = to;
    }
    for (const reply of rewrites) await this.rewrite(reply);
    if (spans.length === 0) return;
    let results: [Error | null, unknown][];
    try {
      results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    } catch (error) {
      for (const { reply } of spans) this.failed(reply);
      this.options.log?.('redis write failed', { error: (error as Error).message });
      return;
    }
    const lost: Reply[] = [];
    for (const { reply, m, to, at, setup } of spans) {
      const [error, gone] = results[at] ?? [new Error('no result')];
      if (error || results.slice(at - setup, at).some(([e]) => e)) {
        this.failed(reply);
        continue;
      }
      if (gone === 1) lost.push(reply);
      else m.synced = Math.max(m.synced, to);
    }
    for (const reply of lost) await this.rewrite(reply);
  }

  /** A write failed: what Redis holds of the reply is unknown, so it is rewritten whole. */
  private failed(reply: Reply): void {
    if (!this.marks.has(reply)) return;
    this.broken.add(reply);
    this.dirty.add(reply);
  }

  /**
   * Frames from+1..to in ONE command (a script): the XADDs, the done flag, the expiries and the
   * notifications. One command per reply per flush, not one per token: a command costs the
   * client far more than its bytes.
   */
  private append(pipeline: ChainableCommander, reply: Reply, from: number, to: number): void {
    const { key, ttlMs, maxLifeMs } = this.options;
    const done = reply.done && to === reply.lastEventId;
    (pipeline as ChainableCommander & { streamchatAppend: AppendCommand }).streamchatAppend(
      key('r', reply.id, 'e'),
      key('r', reply.id, 'm'),
      key('r', reply.id, 'q'),
      key('n', reply.id),
      key('f', reply.id),
      from,
      reply.created,
      done ? ttlMs : maxLifeMs,
      done ? 1 : 0,
      ...reply.frames.slice(from, to),
    );
  }

  /** Writes the whole reply again in one transaction (Redis lost it). */
  private async rewrite(reply: Reply): Promise<void> {
    const { redis, key } = this.options;
    const multi = redis.multi();
    multi.del(key('r', reply.id, 'e'));
    multi.hset(key('r', reply.id, 'm'), metaFields(reply));
    if (reply.request !== undefined) {
      multi.set(key('r', reply.id, 'q'), JSON.stringify(reply.request));
    }
    const to = reply.visibleEventId;
    this.append(multi, reply, 0, to);
    const m = this.marks.get(reply);
    if (m) m.sent = to;
    try {
      const results = (await multi.exec()) ?? [];
      const error = results.find(([e]) => e)?.[0];
      if (error) throw error;
      this.broken.delete(reply);
      if (m) m.synced = to;
      this.options.log?.('redis: reply written back', { id: reply.id, events: to });
      if (reply.lastEventId > to) this.touch(reply);
    } catch (error) {
      this.failed(reply);
      this.options.log?.('redis write failed', { error: (error as Error).message });
    }
  }
}

type AppendCommand = (...args: (string | number)[]) => unknown;

/**
 * KEYS: stream, meta, request, last-id channel, frames channel. ARGV: from, created, ttl, done,
 * frames… Returns 1 when the meta hash was gone although frames had been written (Redis lost
 * the reply: the caller rewrites it whole). An entry id already in the stream is skipped: a
 * write that half-happened before, or a rewrite, sends it again. The frames go out on their own
 * channel (mirrors apply them without reading the stream back); the last id on the other, as
 * the previous release did.
 */
const APPEND_SCRIPT = `
local from = tonumber(ARGV[1])
local gone = 0
if from > 0 then gone = redis.call('HSETNX', KEYS[2], 'created', ARGV[2]) end
local frames = {}
for i = 5, #ARGV do
  local added = redis.pcall('XADD', KEYS[1], '0-' .. (from + i - 4), 'f', ARGV[i])
  if type(added) == 'table' and added.err and not string.find(added.err, 'equal or smaller') then
    return redis.error_reply(added.err)
  end
  frames[#frames + 1] = ARGV[i]
end
if ARGV[4] == '1' then redis.call('HSET', KEYS[2], 'done', '1') end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local last = from + #frames
if #frames > 0 or ARGV[4] == '1' then
  redis.call('PUBLISH', KEYS[5], cjson.encode({ from, tonumber(ARGV[4]), frames }))
end
redis.call('PUBLISH', KEYS[4], tostring(last))
return gone
`;

/** Makes `streamchatAppend` available on `redis` (and its pipelines and transactions). */
export function defineAppend(redis: Redis): void {
  if ('streamchatAppend' in redis) return;
  redis.defineCommand('streamchatAppend', { numberOfKeys: 5, lua: APPEND_SCRIPT });
}

function commandCount(pipeline: ChainableCommander): number {
  return (pipeline as unknown as { length: number }).length;
}

/**
 * A running reply's hash in Redis: its model and start, not done, and the generation settings it
 * was asked with, if any (a field of its own: an instance of the version before ignores it).
 */
function metaFields(reply: Reply): Record<string, string> {
  const fields: Record<string, string> = {
    model: reply.model,
    created: String(reply.created),
    done: '0',
  };
  if (reply.params !== undefined) fields.params = JSON.stringify(reply.params);
  return fields;
}
