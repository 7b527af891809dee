import { describe, expect, it, vi } from 'vitest';
import { LoadTimeoutError, refreshing } from '@/lib/llm/model-cache';
import { FakeClock } from './helpers';

/** A load the test settles by hand, with the signal it was given. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup() {
  const clock = new FakeClock();
  const loads: { signal: AbortSignal; settle: ReturnType<typeof deferred<string[]>> }[] = [];
  const load = vi.fn((signal: AbortSignal) => {
    const settle = deferred<string[]>();
    loads.push({ signal, settle });
    return settle.promise;
  });
  const onError = vi.fn();
  const cache = refreshing({
    load,
    freshMs: 60_000,
    retryMs: 15_000,
    timeoutMs: 5_000,
    timers: clock,
    onError,
  });
  return { clock, loads, load, onError, cache };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the refreshing model list', () => {
  it('waits for the first load only, and shares it between readers', async () => {
    const { loads, load, cache } = setup();
    expect(cache.peek()).toBeUndefined();
    const a = cache.get();
    const b = cache.get();
    await tick();
    expect(load).toHaveBeenCalledTimes(1);
    loads[0]!.settle.resolve(['a', 'b']);
    expect(await a).toEqual(['a', 'b']);
    expect(await b).toEqual(['a', 'b']);
    expect(cache.peek()).toEqual(['a', 'b']);
  });

  it('serves a fresh value without asking again', async () => {
    const { clock, loads, load, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.resolve(['a']);
    await first;
    clock.advance(59_999);
    expect(await cache.get()).toEqual(['a']);
    await tick();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves a stale value at once and refreshes it once in the background', async () => {
    const { clock, loads, load, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.resolve(['a']);
    await first;
    clock.advance(60_000);
    // Many readers of a stale value: each answered at once, one refresh between them.
    const answers = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(answers).toEqual([['a'], ['a'], ['a']]);
    await tick();
    expect(load).toHaveBeenCalledTimes(2);
    expect(await cache.get()).toEqual(['a']);
    await tick();
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.settle.resolve(['a', 'b']);
    await tick();
    expect(await cache.get()).toEqual(['a', 'b']);
    await tick();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('falls back (no value) when the first load fails, and tries again after retryMs', async () => {
    const { clock, loads, load, onError, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.reject(Object.assign(new Error('Not Found'), { status: 404 }));
    expect(await first).toBeUndefined();
    expect(onError).toHaveBeenCalledTimes(1);
    clock.advance(14_999);
    expect(await cache.get()).toBeUndefined();
    await tick();
    expect(load).toHaveBeenCalledTimes(1);
    clock.advance(1);
    // Nothing to serve yet: the reader waits for the retry (one, shared).
    const retried = cache.get();
    const alongside = cache.get();
    await tick();
    expect(load).toHaveBeenCalledTimes(2);
    loads[1]!.settle.resolve(['a']);
    expect(await retried).toEqual(['a']);
    expect(await alongside).toEqual(['a']);
  });

  it('a failed retry with nothing to serve answers the fallback within the timeout', async () => {
    const { clock, loads, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.reject(new Error('connection refused'));
    expect(await first).toBeUndefined();
    clock.advance(15_000);
    const retried = cache.get();
    await tick();
    clock.advance(5_000);
    expect(await retried).toBeUndefined();
  });

  it('keeps the last good value when a refresh fails', async () => {
    const { clock, loads, load, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.resolve(['a']);
    await first;
    clock.advance(60_000);
    await cache.get();
    await tick();
    loads[1]!.settle.reject(new Error('connection refused'));
    await tick();
    expect(await cache.get()).toEqual(['a']);
    // Failed: asked again after retryMs, not after freshMs.
    clock.advance(15_000);
    await cache.get();
    await tick();
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('gives up on a load after timeoutMs, aborting its signal', async () => {
    const { clock, loads, onError, cache } = setup();
    const first = cache.get();
    await tick();
    expect(loads[0]!.signal.aborted).toBe(false);
    clock.advance(5_000);
    expect(await first).toBeUndefined();
    expect(loads[0]!.signal.aborted).toBe(true);
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(LoadTimeoutError);
    expect(clock.pendingCount).toBe(0);
    // The late answer of the abandoned load changes nothing (and is no unhandled rejection).
    loads[0]!.settle.reject(new Error('aborted'));
    await tick();
    expect(cache.peek()).toBeUndefined();
  });

  it('clears its timer when a load ends in time', async () => {
    const { clock, loads, cache } = setup();
    const first = cache.get();
    await tick();
    loads[0]!.settle.resolve([]);
    await first;
    expect(clock.pendingCount).toBe(0);
  });

  it('survives a loader that throws instead of rejecting', async () => {
    const clock = new FakeClock();
    const cache = refreshing<string[]>({
      load: () => {
        throw new Error('sync');
      },
      freshMs: 1,
      retryMs: 1,
      timeoutMs: 1_000,
      timers: clock,
    });
    expect(await cache.get()).toBeUndefined();
  });
});
