/** The one Retry-After reader, as the retry sleeps use it (the error mapping's is in http-guards). */
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterMs } from '@/lib/llm/errors';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, unclamped', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter('0.25')).toBe(0.25);
    expect(parseRetryAfter(' 5 ')).toBe(5);
    expect(parseRetryAfter('-3')).toBe(-3);
    const inAMinute = parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())!;
    expect(inAMinute).toBeGreaterThan(55);
    expect(inAMinute).toBeLessThanOrEqual(60);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBeLessThan(0);
  });

  it('says nothing for absent or unreadable values', () => {
    for (const raw of [undefined, null, '', '   ', 'soon', '1e999x']) {
      expect(parseRetryAfter(raw)).toBeUndefined();
    }
  });
});

describe('retryAfterMs', () => {
  it('prefers retry-after-ms, then Retry-After in seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': '9' }))).toBe(9000);
    expect(retryAfterMs(new Headers({ 'retry-after': '0.01' }))).toBe(10);
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'later' }))).toBeUndefined();
  });
});
