import { expect, test } from '@playwright/test';
import {
  DIALECTS,
  expectConsecutiveIds,
  oneRequest,
  postChat,
  readSse,
  simRecords,
  text,
  uniqueTag,
} from '../support/api';

/** Each upstream fault the simulator can produce, and the code the follower must see. */
const FAULTS: { directive: string; code: string; retryable: boolean; tokensBefore?: number }[] = [
  { directive: '[[status:401]]', code: 'upstream_auth', retryable: false },
  { directive: '[[status:403]]', code: 'upstream_forbidden', retryable: false },
  { directive: '[[status:404]]', code: 'model_not_found', retryable: false },
  { directive: '[[status:429]]', code: 'rate_limited', retryable: true },
  { directive: '[[status:429]] [[retry-after:30]]', code: 'rate_limited', retryable: true },
  { directive: '[[status:500]]', code: 'upstream_unavailable', retryable: true },
  { directive: '[[status:502]]', code: 'upstream_unavailable', retryable: true },
  { directive: '[[status:503]]', code: 'upstream_unavailable', retryable: true },
  { directive: '[[first-byte:4000]]', code: 'upstream_timeout', retryable: true },
  { directive: '[[hang:3]]', code: 'upstream_timeout', retryable: true, tokensBefore: 3 },
  { directive: '[[cut:4]]', code: 'upstream_interrupted', retryable: true, tokensBefore: 4 },
  { directive: '[[no-done]]', code: 'upstream_interrupted', retryable: true, tokensBefore: 5 },
  { directive: '[[error-mid:2]]', code: 'upstream_error', retryable: true, tokensBefore: 2 },
  { directive: '[[malformed:2]]', code: 'bad_upstream_response', retryable: true, tokensBefore: 2 },
];

// The fault matrix holds on both upstream dialects: the same specs against the app on each.
for (const dialect of DIALECTS) {
  const APP = dialect.url;
  test.describe(`upstream faults become error then close (${dialect.name})`, () => {
    for (const fault of FAULTS) {
      test(`${fault.directive} → ${fault.code}`, async () => {
        const { streamUrl } = await postChat(
          `${fault.directive} [[delay:0]] one two three`,
          {},
          APP(),
        );
        const result = await readSse(APP() + streamUrl);
        expectConsecutiveIds(result.events);
        const names = result.events.map((e) => e.event);
        expect(names.filter((n) => n === 'error')).toHaveLength(1);
        expect(names.slice(-2)).toEqual(['error', 'close']);
        const error = result.events.at(-2)!.data;
        expect(error).toMatchObject({ code: fault.code, retryable: fault.retryable });
        expect(error.message).toEqual(expect.stringMatching(/^[A-Z].+\.$/));
        expect(JSON.stringify(error)).not.toContain(process.env.TEST_API_KEY!);
        // No raw upstream text reaches the client.
        expect(JSON.stringify(error)).not.toMatch(
          /Incorrect API key|Rate limit reached|overloaded|internal error/,
        );
        expect(result.events.at(-1)?.data).toEqual({ finishReason: 'error' });
        const streamed = result.events.filter((e) => e.event === 'message').length;
        expect(streamed).toBe(fault.tokensBefore ?? 0);

        // The partial text stays replayable, and the server stays healthy.
        const replay = await readSse(APP() + streamUrl);
        expect(text(replay.events)).toBe(text(result.events));
        expect((await fetch(`${APP()}/api/models`)).status).toBe(200);
      });
    }

    test('a request that fails before its first token is retried; one that streamed text is not', async () => {
      const retried = uniqueTag('retry');
      const ok = await oneRequest(`[[tag:${retried}]] [[fail-first:2]] [[delay:0]] hello`, APP());
      expect(text(ok.events)).toBe('Reply to: hello');
      expect(await simRecords(retried)).toHaveLength(3);

      const cut = uniqueTag('cut');
      const failed = await oneRequest(`[[tag:${cut}]] [[cut:2]] [[delay:0]] a b c`, APP());
      expect(failed.events.find((e) => e.event === 'error')?.data.code).toBe(
        'upstream_interrupted',
      );
      expect(await simRecords(cut)).toHaveLength(1);
    });

    test('a 429 with Retry-After tells the client how long to wait', async () => {
      const result = await oneRequest('[[status:429]] [[retry-after:30]]', APP());
      expect(result.events.find((e) => e.event === 'error')?.data).toMatchObject({
        retryAfter: 30,
      });
    });
  });
}

test.describe('an unreachable upstream', () => {
  test('an unreachable upstream is reported at once, and that server stays healthy', async () => {
    const started = Date.now();
    const result = await oneRequest('hello', process.env.UNREACHABLE_URL!);
    expect(result.events.map((e) => e.event)).toEqual(['meta', 'error', 'close']);
    expect(result.events[1]?.data).toMatchObject({ code: 'upstream_unreachable', retryable: true });
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetch(`${process.env.UNREACHABLE_URL}/api/models`)).status).toBe(200);
  });
});
