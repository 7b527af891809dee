/**
 * The browser side of following a reply (the server side is `lib/streams/follow.ts`): watches
 * one reply's stream with a native EventSource: the browser reconnects by itself after a dropped
 * connection and sends Last-Event-ID, so the server resumes with no gap and no repeat. Deltas
 * are gathered and handed over on animation frames, at most about 30 times a second (a timer
 * when the tab is hidden, where frames don't run), so a fast stream costs a render every other
 * frame, not one per token.
 * The EventSource is closed as soon as the reply ends: browsers allow only six HTTP/1.1
 * connections per site.
 *
 * A connection can also stay open and go silent (a phone that slept, a Wi-Fi to mobile hand-over,
 * a NAT entry that expired): the browser sees no error and would wait forever. The server never
 * stays silent longer than `meta.heartbeatMs` on a healthy connection, so after about twice that
 * with no event the EventSource is replaced by a new one that resumes after the last event seen
 * (`?lastEventId=`), and at once when a tab hidden for a while is shown again or the browser comes
 * back online. Events already seen are never handed over twice.
 */
import type { CloseData, DeltaData, ErrorData, MetaData, UsageData } from '@/lib/chat/protocol';
import { streamUrlFor } from '@/lib/chat/protocol';
import type { MessageStatus } from '@/lib/client/types';

export interface Flush {
  content: string;
  reasoning: string;
  lastEventId: number;
  /** performance.now() of the first and the latest text delta in this flush. */
  firstAt?: number;
  lastAt?: number;
  deltas: number;
}

export interface WatchHandlers {
  onFlush(flush: Flush): void;
  onUsage(usage: UsageData): void;
  /** The reply's first frame: the model that answers, among other things. */
  onMeta?(meta: MetaData): void;
  onReconnecting(reconnecting: boolean): void;
  /** `cutShort`: a reply that ended before its answer did (`close` with `length`, `content_filter`). */
  onEnd(
    status: Exclude<MessageStatus, 'streaming'>,
    error?: ErrorData,
    cutShort?: 'length' | 'content_filter',
  ): void;
}

export interface Watching {
  close(): void;
}

/** The shortest time between two updates of the text while it streams (see `onFrame`). */
const MIN_FLUSH_MS = 28;

/**
 * The heartbeat period assumed until the reply's `meta` says (a reply resumed after the event ids
 * it had, as after a reload, gets no `meta`): the API's default. A server with a longer period
 * only makes a silent reply reconnect sooner than it needs to.
 */
const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * How long a reply may stay silent before its connection is taken for dead: two missed heartbeats
 * and some slack (2 to 3 s) for a busy server, network or page, which matters most with short
 * heartbeats (a reconnect too many is harmless, but not free).
 */
export function silenceLimitMs(heartbeatMs: number): number {
  return 2 * heartbeatMs + Math.min(3_000, Math.max(2_000, heartbeatMs / 4));
}

/** The page is being hidden for good or unloaded (`pagehide`); cleared by `pageshow`. */
let leaving = false;
if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => (leaving = true));
  window.addEventListener('pageshow', () => (leaving = false));
}

export function watchReplyStream(
  replyId: string,
  after: number,
  handlers: WatchHandlers,
): Watching {
  let pending: Flush = { content: '', reasoning: '', lastEventId: after, deltas: 0 };
  /** The id of the latest event taken (handed on, or in `pending`): a new connection resumes here. */
  let seen = after;
  let scheduled: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let error: ErrorData | undefined;
  let ended = false;

  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  // Wall-clock times (Date.now), not performance.now(): the monotonic clock stops while a phone
  // sleeps, which is exactly the silence to notice.
  /** The last sign of life: an event, or a connection opening. */
  let lifeAt = Date.now();
  /** When the tab was hidden (null: it is shown). */
  let hiddenAt: number | null = document.hidden ? Date.now() : null;
  let watchdog: ReturnType<typeof setTimeout> | null = null;

  let lastFlushAt = -Infinity;
  const flush = () => {
    scheduled = null;
    timer = null;
    const out = pending;
    lastFlushAt = performance.now();
    if (!out.content && !out.reasoning && out.deltas === 0) return;
    pending = { content: '', reasoning: '', lastEventId: out.lastEventId, deltas: 0 };
    handlers.onFlush(out);
  };
  const schedule = () => {
    if (scheduled !== null || timer !== null) return;
    if (document.hidden) timer = setTimeout(flush, 250);
    else scheduled = requestAnimationFrame(onFrame);
  };
  /**
   * At most one update per MIN_FLUSH_MS, on an animation frame: the first text at once, then
   * about 30 updates a second, which reads as smooth and halves the work of following a fast
   * stream (the growing markdown block is re-parsed at each update).
   */
  const onFrame = (now: number) => {
    if (now - lastFlushAt < MIN_FLUSH_MS) {
      scheduled = requestAnimationFrame(onFrame);
    } else {
      flush();
      lastFlushAt = now; // the frame's time, so that every other 60 Hz frame qualifies
    }
  };

  /**
   * One timer for the whole reply, not one per event: when it fires before the limit (events
   * came meanwhile), it is set again for the rest of it.
   */
  const watch = () => {
    if (watchdog !== null) clearTimeout(watchdog);
    const left = silenceLimitMs(heartbeatMs) - (Date.now() - lifeAt);
    watchdog = setTimeout(onWatchdog, Math.max(0, left));
  };
  const onWatchdog = () => {
    watchdog = null;
    if (ended) return;
    if (Date.now() - lifeAt >= silenceLimitMs(heartbeatMs)) reconnect();
    else watch();
  };

  /**
   * Replaces the connection with a new one that resumes after the last event taken. The server
   * replays exactly what came after it, so this is safe at any moment. EventSource does not show
   * the server's `: ping` comments to scripts, so a reply whose model is silent for longer than
   * the limit (a slow first token, a long pause) is reconnected every limit too: one request each
   * time, nothing lost or repeated.
   */
  const reconnect = () => {
    if (ended) return;
    es.close();
    handlers.onReconnecting(true);
    es = open(seen);
  };

  // A tab hidden while a frame is awaited runs no frames: hand the text over on the timer instead.
  // Shown again after a while with nothing heard meanwhile (a phone that slept: its timers did not
  // run and its connection may be long dead), it reconnects at once instead of at the limit.
  const onVisibility = () => {
    if (document.hidden) {
      hiddenAt ??= Date.now();
      if (scheduled === null) return;
      cancelAnimationFrame(scheduled);
      scheduled = null;
      timer = setTimeout(flush, 250);
      return;
    }
    const now = Date.now();
    const away = hiddenAt === null ? 0 : now - hiddenAt;
    hiddenAt = null;
    if (away > heartbeatMs && now - lifeAt > heartbeatMs) reconnect();
  };
  // Back online: the connection from before is likely dead, and the browser would only notice
  // at its next retry.
  const onOnline = () => reconnect();
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', onOnline);

  /** Notes an event's id; false for one already taken (a replaced connection's late event). */
  const take = (e: MessageEvent): boolean => {
    lifeAt = Date.now();
    if (e.lastEventId === '') return true;
    const id = Number(e.lastEventId);
    if (!Number.isFinite(id)) return true;
    if (id <= seen) return false;
    seen = pending.lastEventId = id;
    return true;
  };
  const stop = () => {
    ended = true;
    es.close();
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('online', onOnline);
    if (watchdog !== null) clearTimeout(watchdog);
    if (scheduled !== null) cancelAnimationFrame(scheduled);
    if (timer !== null) clearTimeout(timer);
  };
  const end = (
    status: Exclude<MessageStatus, 'streaming'>,
    err?: ErrorData,
    cutShort?: 'length' | 'content_filter',
  ) => {
    if (ended) return;
    stop();
    flush();
    handlers.onEnd(status, err, cutShort);
  };

  function open(from: number): EventSource {
    const source = new EventSource(
      `${streamUrlFor(replyId)}${from > 0 ? `?lastEventId=${from}` : ''}`,
    );
    lifeAt = Date.now();
    watch();
    /** Events of this connection while it is the current one, each event once. */
    const on = (type: string, handle: (data: unknown) => void) =>
      source.addEventListener(type, (e) => {
        if (source === es && !ended && take(e)) handle(JSON.parse(e.data));
      });

    on('message', (data) => {
      const now = performance.now();
      pending.content += (data as DeltaData).content;
      pending.firstAt ??= now;
      pending.lastAt = now;
      pending.deltas++;
      schedule();
    });
    on('reasoning', (data) => {
      pending.reasoning += (data as DeltaData).content;
      schedule();
    });
    on('usage', (data) => handlers.onUsage(data as UsageData));
    on('meta', (data) => {
      const meta = data as MetaData;
      if (typeof meta.heartbeatMs === 'number' && meta.heartbeatMs > 0) {
        heartbeatMs = meta.heartbeatMs;
        watch();
      }
      handlers.onMeta?.(meta);
      schedule();
    });
    // Nothing to show, but a sign of life with an id.
    on('notice', () => {});
    on('close', (data) => {
      const { finishReason } = data as CloseData;
      if (finishReason === 'stopped' || finishReason === 'error') end(finishReason, error);
      else if (finishReason === 'length' || finishReason === 'content_filter') {
        end('done', undefined, finishReason);
      } else end('done');
    });
    source.addEventListener('open', () => {
      if (source !== es || ended) return;
      lifeAt = Date.now();
      handlers.onReconnecting(false);
    });
    source.addEventListener('error', (e) => {
      // A page going away (closed, reloaded) has its connections cut: that is not the reply's
      // end. Another tab, or the page when it is back, resumes it from the last saved event.
      if (source !== es || ended || leaving) return;
      if (e instanceof MessageEvent) {
        // The server's `error` event: the reply failed, `close` follows.
        if (take(e)) error = JSON.parse(e.data) as ErrorData;
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // The server answered for good (404: expired, or not a stream at all).
        end('error', {
          code: 'connection_lost',
          message:
            'The reply could not be resumed (it may have expired on the server). The text received so far is kept.',
          retryable: true,
        });
      } else {
        handlers.onReconnecting(true);
      }
    });
    return source;
  }
  let es = open(after);

  return {
    // Closing from outside (the page is going away) ends nothing on the server: another tab or
    // the reloaded page resumes from the last saved event id.
    close: stop,
  };
}
