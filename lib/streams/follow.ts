/**
 * The server side of following a reply (the browser side is `lib/client/reply-stream.ts`): the
 * SSE response body for one follower, a pull-based byte stream that starts after a given event id.
 *
 * The follower keeps only a cursor into the reply's framed events. It writes when the consumer
 * asks for more (`pull`), and then what has arrived since its last write goes out as one chunk
 * of at most MAX_WRITE_CHARS: a fast upstream is relayed with one write per event-loop turn
 * rather than one per token, and a replay of a long reply goes out a slice at a time, as the
 * client takes it. So whatever the client does, a follower holds at most one slice (plus one in
 * the socket's buffer), not a copy of the answer. A client that takes nothing for `stallMs`
 * while a write waits is disconnected; like anyone, it can come back with Last-Event-ID.
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
  /** How long a write may wait for the client to take it before the client is dropped. */
  stallMs: number;
  /**
   * Closes the connection under this follower (a stalled client's socket). Without it, or when
   * it returns false, the body is errored, which ends the response once the socket lets it.
   */
  dropConnection?: () => boolean;
  /** The request's signal: a disconnect detaches the follower even if nobody cancels the body. */
  signal?: AbortSignal;
  /** This follower is the one-request response that owns the reply (see ReplyStore.detach). */
  owner?: boolean;
}

interface Follower {
  lastWrite: number;
  /** When the last write was queued, while the client has not taken it; else undefined. */
  waitingSince: number | undefined;
  stallMs: number;
  ping(): void;
  drop(): void;
}

/**
 * The most one write carries, in UTF-16 units (at most 3 bytes each in UTF-8). Large enough that
 * a replay costs few writes, small enough that 1,000 stalled clients hold 1,000 slices, not
 * 1,000 answers.
 */
export const MAX_WRITE_CHARS = 64 * 1024;

const encoder = new TextEncoder();

/** All open followers, so that one timer can keep the idle ones alive. */
const followers = new Set<Follower>();
let heartbeat: ReturnType<typeof setInterval> | undefined;
let heartbeatEvery = 0;

function startHeartbeat(ms: number, stallMs: number): void {
  // Checking at half the period bounds the silence on any connection by the period.
  const half = Math.max(50, Math.floor(ms / 2));
  const tick = Math.max(50, Math.min(half, Math.floor(stallMs / 4)));
  if (heartbeat && heartbeatEvery === tick) return;
  if (heartbeat) clearInterval(heartbeat);
  heartbeatEvery = tick;
  heartbeat = setInterval(() => {
    const now = Date.now();
    const idleSince = now - half;
    for (const f of followers) {
      if (f.waitingSince !== undefined && now - f.waitingSince >= f.stallMs) f.drop();
      else if (f.lastWrite <= idleSince) f.ping();
    }
  }, tick);
  heartbeat.unref?.();
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

export function openFollowerCount(): number {
  return followers.size;
}

export function streamToFollower(
  store: FollowerRegistry,
  reply: Reply,
  after: number,
  options: FollowOptions,
): ReadableStream<Uint8Array> {
  /**
   * The last event written, or skipped: a client that says it has events the reply has not
   * reached yet (a `Last-Event-ID` ahead of it) gets only what comes after them.
   */
  let cursor = Math.min(after, reply.visibleEventId);
  /** How much of frames[cursor] has been written already (a frame cut by MAX_WRITE_CHARS). */
  let offset = 0;
  let finished = false;
  let cancelled = false;
  let pingDue = false;
  let wakeSelf: (() => void) | undefined;
  let body: ReadableStreamDefaultController<Uint8Array> | undefined;

  const follower: Follower = {
    lastWrite: Date.now(),
    waitingSince: undefined,
    stallMs: options.stallMs,
    ping() {
      pingDue = true;
      wakeSelf?.();
    },
    drop() {
      follower.waitingSince = undefined;
      cleanup();
      if (options.dropConnection?.()) return;
      // Named AbortError: Next.js then ends the response without logging a failure.
      body?.error(new DOMException('The client stopped reading', 'AbortError'));
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
  startHeartbeat(options.heartbeatMs, options.stallMs);

  /** Everything this follower will get has gone out: the end, or the last before a hand-over. */
  const over = () =>
    (reply.done && cursor === reply.lastEventId) ||
    (reply.movedAway && cursor === reply.visibleEventId);

  /** What comes after the cursor, at most MAX_WRITE_CHARS of it; advances the cursor. */
  const takePending = (): string => {
    const frames = reply.frames;
    const end = reply.visibleEventId;
    // The live case, worth its own path: one small new frame (a token) since the last write.
    if (offset === 0 && end - cursor === 1 && frames[cursor]!.length <= MAX_WRITE_CHARS) {
      return frames[cursor++]!;
    }
    let chunk = '';
    let room = MAX_WRITE_CHARS;
    while (cursor < end && room > 0) {
      const frame = frames[cursor]!;
      if (frame.length - offset <= room) {
        chunk += offset === 0 ? frame : frame.slice(offset);
        room -= frame.length - offset;
        cursor++;
        offset = 0;
      } else if (chunk !== '') {
        // Slices end between frames, unless one frame alone is larger than a slice.
        break;
      } else {
        // Cut inside the frame, never between the halves of a surrogate pair.
        let cut = offset + room;
        if (isHighSurrogate(frame.charCodeAt(cut - 1))) cut--;
        chunk += frame.slice(offset, cut);
        offset = cut;
        room = 0;
      }
    }
    return chunk;
  };
  const write = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    controller.enqueue(encoder.encode(text));
    follower.lastWrite = Date.now();
    // The queue holds one chunk: until the client takes it, `pull` is not called again.
    follower.waitingSince = follower.lastWrite;
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        body = controller;
        // `retry:` first, so even a client that drops at once knows how soon to come back.
        let head = encodeFrame({ retry: options.retryMs });
        if (cursor < reply.visibleEventId) head += takePending();
        write(controller, head);
      },
      async pull(controller) {
        follower.waitingSince = undefined;
        for (;;) {
          if (finished) {
            // Detached by the request's signal: end the body, or a pending read would hang forever.
            if (!cancelled) controller.close();
            return;
          }
          if (cursor < after) cursor = Math.min(after, reply.visibleEventId);
          if (cursor < reply.visibleEventId) {
            write(controller, takePending());
            if (over()) {
              controller.close();
              cleanup();
            }
            return;
          }
          // Done, or carried on by another instance: end the response (after `close`, the
          // client stops; without it, EventSource reconnects and resumes wherever it lands).
          if (over()) {
            controller.close();
            cleanup();
            return;
          }
          if (pingDue) {
            pingDue = false;
            write(controller, encodeComment('ping'));
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
