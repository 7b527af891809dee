/**
 * The browser side of following a reply (the server side is `lib/streams/follow.ts`): watches
 * one reply's stream with a native EventSource: the browser reconnects by itself after a dropped
 * connection and sends Last-Event-ID, so the server resumes with no gap and no repeat. Deltas
 * are gathered and handed over on animation frames, at most about 30 times a second (a timer
 * when the tab is hidden, where frames don't run), so a fast stream costs a render every other
 * frame, not one per token.
 * The EventSource is closed as soon as the reply ends: browsers allow only six HTTP/1.1
 * connections per site.
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
  onEnd(status: Exclude<MessageStatus, 'streaming'>, error?: ErrorData): void;
}

export interface Watching {
  close(): void;
}

/** The shortest time between two updates of the text while it streams (see `onFrame`). */
const MIN_FLUSH_MS = 28;

export function watchReplyStream(
  replyId: string,
  after: number,
  handlers: WatchHandlers,
): Watching {
  const url = `${streamUrlFor(replyId)}${after > 0 ? `?lastEventId=${after}` : ''}`;
  const es = new EventSource(url);
  let pending: Flush = { content: '', reasoning: '', lastEventId: after, deltas: 0 };
  let scheduled: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let error: ErrorData | undefined;
  let ended = false;

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
  // A tab hidden while a frame is awaited runs no frames: hand the text over on the timer instead.
  const onVisibility = () => {
    if (!document.hidden || scheduled === null) return;
    cancelAnimationFrame(scheduled);
    scheduled = null;
    timer = setTimeout(flush, 250);
  };
  document.addEventListener('visibilitychange', onVisibility);
  const track = (e: MessageEvent) => {
    const id = Number(e.lastEventId);
    if (Number.isFinite(id)) pending.lastEventId = id;
  };
  const end = (status: Exclude<MessageStatus, 'streaming'>, err?: ErrorData) => {
    if (ended) return;
    ended = true;
    es.close();
    document.removeEventListener('visibilitychange', onVisibility);
    if (scheduled !== null) cancelAnimationFrame(scheduled);
    if (timer !== null) clearTimeout(timer);
    flush();
    handlers.onEnd(status, err);
  };

  es.addEventListener('message', (e) => {
    track(e);
    const now = performance.now();
    pending.content += (JSON.parse(e.data) as DeltaData).content;
    pending.firstAt ??= now;
    pending.lastAt = now;
    pending.deltas++;
    schedule();
  });
  es.addEventListener('reasoning', (e) => {
    track(e);
    pending.reasoning += (JSON.parse(e.data) as DeltaData).content;
    schedule();
  });
  es.addEventListener('usage', (e) => {
    track(e);
    handlers.onUsage(JSON.parse(e.data) as UsageData);
  });
  es.addEventListener('meta', (e) => {
    track(e);
    handlers.onMeta?.(JSON.parse(e.data) as MetaData);
    schedule();
  });
  es.addEventListener('open', () => handlers.onReconnecting(false));
  es.addEventListener('error', (e) => {
    if (e instanceof MessageEvent) {
      // The server's `error` event: the reply failed, `close` follows.
      track(e);
      error = JSON.parse(e.data) as ErrorData;
      return;
    }
    if (es.readyState === EventSource.CLOSED) {
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
  es.addEventListener('close', (e) => {
    track(e);
    const { finishReason } = JSON.parse(e.data) as CloseData;
    end(
      finishReason === 'stopped' ? 'stopped' : finishReason === 'error' ? 'error' : 'done',
      error,
    );
  });

  return {
    // Closing from outside (the page is going away) ends nothing on the server: another tab or
    // the reloaded page resumes from the last saved event id.
    close() {
      ended = true;
      es.close();
      document.removeEventListener('visibilitychange', onVisibility);
      if (scheduled !== null) cancelAnimationFrame(scheduled);
      if (timer !== null) clearTimeout(timer);
    },
  };
}
