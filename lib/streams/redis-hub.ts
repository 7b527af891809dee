/**
 * Replies in Redis, for several instances behind one address.
 *
 * The instance that runs a reply (its owner) keeps it in its local ReplyStore as usual and
 * copies every frame into a Redis Stream, using the event id as the entry id (`0-N`), so replay
 * after `Last-Event-ID: N` is an XRANGE from `0-(N+1)`. Frames appended in one event-loop turn go
 * out in one pipeline, followed by a PUBLISH of the last id on the reply's channel.
 *
 * Another instance asked for the reply builds a local mirror (a Reply filled from the stream),
 * subscribes to the channel and fetches what is new on each notification, so its followers are
 * served exactly as local ones. While it has followers it refreshes a `seen` key; the owner's
 * grace period only aborts the upstream once no instance has refreshed it. A stop on any
 * instance is published on a control channel and carried out by the owner.
 *
 * Keys: `<p>r:<id>:e` (stream), `<p>r:<id>:m` (hash: model, created, done), `<p>r:<id>:seen`;
 * channels `<p>n:<id>` and `<p>ctl`. Everything expires: finished replies after REPLY_TTL_MS.
 */
import { Redis } from 'ioredis';
import { Reply, type ReplyStore } from '@/lib/streams/reply-store';
import type { Found, ReplyHub } from '@/lib/streams/hub';
import type { FollowerRegistry } from '@/lib/streams/follow';

export interface RedisHubOptions {
  url: string;
  prefix?: string;
  graceMs: number;
  ttlMs: number;
  /** How long a running reply's keys may live at most (a crashed owner leaves no garbage). */
  maxLifeMs: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface Mirror {
  reply: Reply;
  followers: number;
  seenTimer: ReturnType<typeof setInterval> | undefined;
  dropTimer: ReturnType<typeof setTimeout> | undefined;
  fetching: Promise<void> | undefined;
  again: boolean;
}

const CLOSE_PREFIX = 'event: close\n';

export class RedisHub implements ReplyHub {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly mirrors = new Map<string, Mirror>();
  private readonly pending = new Map<Reply, string[]>();
  private flushScheduled = false;
  local!: ReplyStore;

  constructor(private readonly options: RedisHubOptions) {
    this.prefix = options.prefix ?? 'streamchat:';
    // Commands fail at once while Redis is unreachable (no offline queue), so requests get a
    // clear 503 instead of hanging; the clients keep reconnecting in the background.
    this.redis = new Redis(options.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    // The subscriber queues its SUBSCRIBEs until connected (they are re-sent on reconnect).
    this.sub = new Redis(options.url, { maxRetriesPerRequest: 1 });
    for (const client of [this.redis, this.sub]) {
      client.on('error', (error: Error) => options.log?.('redis error', { error: error.message }));
    }
    void this.sub.subscribe(this.key('ctl'));
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
  }

  /** The command connection, for other Redis-backed parts (rate limits). */
  get client(): Redis {
    return this.redis;
  }

  /** Binds the local store (created with `keepAlive` and `onFrame` from this hub). */
  attachStore(store: ReplyStore): void {
    this.local = store;
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  // ---- owner side -------------------------------------------------------------------------

  /** ReplyStore `onFrame`: queue the frame; one pipeline per event-loop turn. */
  readonly onFrame = (reply: Reply, frame: string): void => {
    let list = this.pending.get(reply);
    if (!list) {
      list = [];
      this.pending.set(reply, list);
    }
    list.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  };

  /** ReplyStore `keepAlive`: is anyone following this reply on another instance? */
  readonly keepAlive = async (reply: Reply): Promise<boolean> => {
    return (await this.redis.exists(this.key('r', reply.id, 'seen'))) === 1;
  };

  private flush(): void {
    this.flushScheduled = false;
    const batch = [...this.pending];
    this.pending.clear();
    const pipeline = this.redis.pipeline();
    for (const [reply, frames] of batch) {
      const stream = this.key('r', reply.id, 'e');
      const meta = this.key('r', reply.id, 'm');
      const last = reply.frames.length;
      let id = last - frames.length;
      if (id === 0) {
        pipeline.hset(meta, { model: reply.model, created: String(reply.created), done: '0' });
      }
      for (const frame of frames) pipeline.xadd(stream, `0-${++id}`, 'f', frame);
      const done = frames.at(-1)?.startsWith(CLOSE_PREFIX) ?? false;
      if (done) pipeline.hset(meta, 'done', '1');
      const ttl = done ? this.options.ttlMs : this.options.maxLifeMs;
      pipeline.pexpire(stream, ttl).pexpire(meta, ttl);
      pipeline.publish(this.key('n', reply.id), String(id));
    }
    pipeline
      .exec()
      .catch((error: Error) => this.options.log?.('redis write failed', { error: error.message }));
  }

  // ---- any instance -----------------------------------------------------------------------

  async find(id: string): Promise<Found | undefined> {
    const local = this.local.get(id);
    if (local) return { reply: local, registry: this.local };
    let mirror = this.mirrors.get(id);
    if (!mirror) {
      const meta = await this.redis.hgetall(this.key('r', id, 'm'));
      if (!meta.model) return undefined;
      mirror = this.mirrors.get(id); // another request may have made it meanwhile
      if (!mirror) {
        mirror = {
          reply: new Reply(id, meta.model, Number(meta.created)),
          followers: 0,
          seenTimer: undefined,
          dropTimer: undefined,
          fetching: undefined,
          again: false,
        };
        this.mirrors.set(id, mirror);
        await this.sub.subscribe(this.key('n', id));
        this.scheduleDrop(mirror);
      }
    }
    await this.fetch(mirror);
    return { reply: mirror.reply, registry: this.mirrorRegistry };
  }

  async stop(id: string): Promise<boolean> {
    if (this.local.stop(id)) return true;
    const done = await this.redis.hget(this.key('r', id, 'm'), 'done');
    if (done === null) return false;
    if (done === '0') await this.redis.publish(this.key('ctl'), JSON.stringify({ stop: id }));
    return true;
  }

  /** False while the command connection is down: new replies are refused then. */
  get available(): boolean {
    return this.redis.status === 'ready';
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
    for (const m of this.mirrors.values()) this.drop(m);
    await Promise.allSettled([this.redis.quit(), this.sub.quit()]);
  }

  private onMessage(channel: string, message: string): void {
    if (channel === this.key('ctl')) {
      try {
        const { stop, leave } = JSON.parse(message) as { stop?: string; leave?: string };
        if (stop) this.local.stop(stop);
        if (leave) this.local.leave(leave);
      } catch {
        /* not ours */
      }
      return;
    }
    const id = channel.slice(this.key('n').length + 1);
    const mirror = this.mirrors.get(id);
    if (mirror && Number(message) > mirror.reply.lastEventId) void this.fetch(mirror);
  }

  /** Copies what the stream has past the mirror's last frame; one fetch at a time per mirror. */
  private fetch(mirror: Mirror): Promise<void> {
    if (mirror.fetching) {
      mirror.again = true;
      return mirror.fetching;
    }
    mirror.fetching = (async () => {
      do {
        mirror.again = false;
        const from = mirror.reply.lastEventId + 1;
        const entries = await this.redis.xrange(
          this.key('r', mirror.reply.id, 'e'),
          `0-${from}`,
          '+',
        );
        const frames = entries.map(([, fields]) => fields[1] ?? '');
        if (frames.length) {
          mirror.reply.pushFrames(frames, frames.at(-1)!.startsWith(CLOSE_PREFIX));
        }
      } while (mirror.again && !mirror.reply.done);
    })()
      .catch((error: Error) => this.options.log?.('redis read failed', { error: error.message }))
      .finally(() => {
        mirror.fetching = undefined;
      });
    return mirror.fetching;
  }

  private readonly mirrorRegistry: FollowerRegistry = {
    attach: (reply) => {
      const mirror = this.mirrors.get(reply.id);
      if (!mirror) return;
      mirror.followers++;
      if (mirror.dropTimer) clearTimeout(mirror.dropTimer);
      mirror.dropTimer = undefined;
      if (!mirror.seenTimer && !reply.done) {
        const seen = () =>
          void this.redis
            .set(this.key('r', reply.id, 'seen'), '1', 'PX', this.options.graceMs)
            .catch(() => {});
        seen();
        mirror.seenTimer = setInterval(seen, Math.max(100, Math.floor(this.options.graceMs / 3)));
        mirror.seenTimer.unref?.();
      }
    },
    detach: (reply) => {
      const mirror = this.mirrors.get(reply.id);
      if (!mirror) return;
      mirror.followers = Math.max(0, mirror.followers - 1);
      if (mirror.followers > 0) return;
      if (mirror.seenTimer) clearInterval(mirror.seenTimer);
      mirror.seenTimer = undefined;
      this.scheduleDrop(mirror);
    },
  };

  /** A mirror nobody follows is dropped after a while (the stream stays in Redis). */
  private scheduleDrop(mirror: Mirror): void {
    if (mirror.dropTimer) clearTimeout(mirror.dropTimer);
    mirror.dropTimer = setTimeout(() => {
      if (mirror.followers === 0) this.drop(mirror);
    }, 30_000);
    mirror.dropTimer.unref?.();
  }

  private drop(mirror: Mirror): void {
    if (mirror.seenTimer) clearInterval(mirror.seenTimer);
    if (mirror.dropTimer) clearTimeout(mirror.dropTimer);
    this.mirrors.delete(mirror.reply.id);
    void this.sub.unsubscribe(this.key('n', mirror.reply.id)).catch(() => {});
  }
}
