/**
 * A value loaded now and then, served stale while it is refreshed (stale-while-revalidate): the
 * upstream's model list, which `/api/models` and every `POST /api/chat` read but which changes
 * rarely. Reads wait for a load only while there is no value yet; otherwise they answer at once
 * with what is held, and one past its freshness starts a refresh in the background. At most one
 * load is in flight, each bounded by `timeoutMs` (its signal is aborted, and a loader that
 * ignores the signal is not waited for). A failed load keeps the last good value and is tried
 * again after `retryMs` (reads in between do not wait); until one load has succeeded there is no
 * value, and the caller falls back.
 */
import { realTimers, type Timers } from '@/lib/streams/reply-store';

export interface RefreshingOptions<T> {
  load: (signal: AbortSignal) => Promise<T>;
  /** How long a loaded value is served without asking again. */
  freshMs: number;
  /** After a failed load, how long before the next try. */
  retryMs: number;
  /** The longest a load may take; then it counts as failed. */
  timeoutMs: number;
  timers?: Timers;
  onError?: (error: unknown) => void;
}

export interface Refreshing<T> {
  /** The value (waiting for a load only while there is none); undefined until one succeeds. */
  get(): Promise<T | undefined>;
  /** What is held now, without waiting and without refreshing. */
  peek(): T | undefined;
}

export class LoadTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

export function refreshing<T>(options: RefreshingOptions<T>): Refreshing<T> {
  const timers = options.timers ?? realTimers;
  let value: T | undefined;
  /** When the last load ended (undefined: none has yet), and whether it failed. */
  let loadedAt: number | undefined;
  let failed = false;
  let inflight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inflight ??= loadOnce().finally(() => (inflight = undefined));
    return inflight;
  }

  async function loadOnce(): Promise<void> {
    const controller = new AbortController();
    let timer: unknown;
    const expired = new Promise<never>((_, reject) => {
      timer = timers.setTimeout(() => {
        const error = new LoadTimeoutError(options.timeoutMs);
        controller.abort(error);
        reject(error);
      }, options.timeoutMs);
    });
    const loading = Promise.resolve().then(() => options.load(controller.signal));
    // A load that fails after its deadline has already been counted as failed.
    loading.catch(() => {});
    try {
      value = await Promise.race([loading, expired]);
      failed = false;
    } catch (error) {
      failed = true;
      options.onError?.(error);
    } finally {
      timers.clearTimeout(timer);
      loadedAt = timers.now();
    }
  }

  return {
    async get() {
      if (loadedAt === undefined) {
        await refresh();
        return value;
      }
      if (timers.now() - loadedAt >= (failed ? options.retryMs : options.freshMs)) void refresh();
      // With nothing to serve yet, a load under way is worth its (bounded) wait.
      if (value === undefined && inflight) await inflight;
      return value;
    },
    peek: () => value,
  };
}
