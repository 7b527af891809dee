/**
 * One follower of a reply: a pull-based byte stream that starts after a given event id.
 *
 * The follower keeps only a cursor into the reply's framed events. It writes when the consumer
 * asks for more (`pull`), and then everything that has arrived since its last write goes out as
 * one chunk. So a slow or stalled client costs one queued chunk, not a copy of the answer, and a
 * fast upstream is relayed with one write per event-loop turn rather than one per token.
 */
import { encodeComment, encodeFrame } from '@/lib/sse/frame';
import type { Reply } from '@/lib/streams/reply-store';

/** Who counts a reply's followers (the store for local replies, the Redis hub for mirrors). */
export interface FollowerRegistry {
  attach(reply: Reply): void;
  detach(reply: Reply, owner?: boolean): void;
}

export interface FollowOptions {
  retryMs: number;
  heartbeatMs: number;
  /** The request's signal: a disconnect detaches the follower even if nobody cancels the body. */
  signal?: AbortSignal;
  /** This follower is the one-request response that owns the reply (see ReplyStore.detach). */
  owner?: boolean;
}

interface Follower {
  lastWrite: number;
  ping(): void;
}

const encoder = new TextEncoder();

/** All open followers, so that one timer can keep the idle ones alive. */
const followers = new Set<Follower>();
let heartbeat: ReturnType<typeof setInterval> | undefined;
let heartbeatEvery = 0;

function startHeartbeat(ms: number): void {
  if (heartbeat && heartbeatEvery === ms) return;
  if (heartbeat) clearInterval(heartbeat);
  heartbeatEvery = ms;
  // Checking at half the period bounds the silence on any connection by the period.
  const half = Math.max(50, Math.floor(ms / 2));
  heartbeat = setInterval(() => {
    const idleSince = Date.now() - half;
    for (const f of followers) if (f.lastWrite <= idleSince) f.ping();
  }, half);
  heartbeat.unref?.();
}

export function openFollowerCount(): number {
  return followers.size;
}

export function followReply(
  store: FollowerRegistry,
  reply: Reply,
  after: number,
  options: FollowOptions,
): ReadableStream<Uint8Array> {
  let cursor = Math.min(after, reply.lastEventId);
  let finished = false;
  let cancelled = false;
  let pingDue = false;
  let wakeSelf: (() => void) | undefined;

  const follower: Follower = {
    lastWrite: Date.now(),
    ping() {
      pingDue = true;
      wakeSelf?.();
    },
  };

  const cleanup = () => {
    if (finished) return;
    finished = true;
    followers.delete(follower);
    wakeSelf?.();
    store.detach(reply, options.owner);
  };

  store.attach(reply);
  followers.add(follower);
  options.signal?.addEventListener('abort', cleanup, { once: true });
  // A request that is already gone never fires 'abort': detach now, or the reply is never abandoned.
  if (options.signal?.aborted) cleanup();
  startHeartbeat(options.heartbeatMs);

  /** Everything after the cursor, as one string; advances the cursor. */
  const takePending = (): string => {
    const frames = reply.frames;
    const end = frames.length;
    const chunk = end - cursor === 1 ? frames[cursor]! : frames.slice(cursor, end).join('');
    cursor = end;
    return chunk;
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // `retry:` first, so even a client that drops at once knows how soon to come back.
        let head = encodeFrame({ retry: options.retryMs });
        if (cursor < reply.lastEventId) head += takePending();
        controller.enqueue(encoder.encode(head));
        follower.lastWrite = Date.now();
      },
      async pull(controller) {
        for (;;) {
          if (finished) {
            // Detached by the request's signal: end the body, or a pending read would hang forever.
            if (!cancelled) controller.close();
            return;
          }
          if (cursor < reply.lastEventId) {
            controller.enqueue(encoder.encode(takePending()));
            follower.lastWrite = Date.now();
            if (reply.done && cursor === reply.lastEventId) {
              controller.close();
              cleanup();
            }
            return;
          }
          if (reply.done) {
            controller.close();
            cleanup();
            return;
          }
          if (pingDue) {
            pingDue = false;
            controller.enqueue(encoder.encode(encodeComment('ping')));
            follower.lastWrite = Date.now();
            return;
          }
          await new Promise<void>((resolve) => {
            wakeSelf = resolve;
            reply.addWaiter(resolve);
          });
          wakeSelf = undefined;
        }
      },
      cancel() {
        cancelled = true;
        cleanup();
      },
    },
    { highWaterMark: 1 },
  );
}
