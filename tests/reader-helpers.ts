/**
 * Feeding a wire-format reader (lib/llm/reader.ts) as a network would: the same bytes whole, cut
 * at every position, one byte at a time. What it says must not depend on where reads end.
 */
import { expect } from 'vitest';
import type { Delta, ReaderOptions, UpstreamReader } from '@/lib/llm/reader';

export type MakeReader = (options: ReaderOptions) => UpstreamReader;

export interface ReadOutcome {
  deltas: Delta[];
  finished: boolean;
  done: boolean;
  failure: unknown;
  /** How many feeds said that an event completed. */
  lively: number;
}

/** Feeds `reads` in order, one `feed` each, and reports what the reader said. */
export function readReads(make: MakeReader, reads: Uint8Array[]): ReadOutcome {
  const deltas: Delta[] = [];
  const reader = make({ onDelta: (d) => deltas.push(d) });
  let lively = 0;
  for (const bytes of reads) if (reader.feed(bytes)) lively++;
  return { deltas, finished: reader.finished, done: reader.done, failure: reader.failure, lively };
}

export const bytesOf = (text: string) => new TextEncoder().encode(text);

/** The outcome as a comparable value (failures by class and code). */
function summary(o: ReadOutcome) {
  const f = o.failure as { constructor?: { name?: string }; code?: unknown } | undefined;
  return {
    deltas: o.deltas,
    finished: o.finished,
    done: o.done,
    failure: f === undefined ? undefined : `${f.constructor?.name}:${String(f.code ?? '')}`,
  };
}

/**
 * Reads `stream` whole, then cut in two at every byte position, then byte by byte: every way
 * must say the same (a delta is one event's, wherever the reads end). Returns the whole read.
 */
export function readEverySplit(make: MakeReader, stream: string): ReadOutcome {
  const bytes = bytesOf(stream);
  const whole = readReads(make, [bytes]);
  const expected = summary(whole);
  for (let i = 0; i <= bytes.length; i++) {
    const split = readReads(make, [bytes.subarray(0, i), bytes.subarray(i)]);
    expect(summary(split), `cut at byte ${i}`).toEqual(expected);
  }
  const single = readReads(
    make,
    Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
  );
  expect(summary(single), 'one byte per read').toEqual(expected);
  return whole;
}
