/**
 * Generation settings (`params` of POST /api/chat) reach the upstream in each dialect's own form
 * (the simulator reads Chat Completions `temperature`, `max_completion_tokens`,
 * `reasoning_effort`, and Responses `temperature`, `max_output_tokens`, `reasoning.effort`, and
 * records them under our names); bad values and unknown keys are a 422 that reaches no upstream.
 */
import { expect, test } from '@playwright/test';
import {
  DIALECTS,
  postChat,
  readSse,
  simRecord,
  simRecords,
  someClient,
  text,
  uniqueTag,
} from '../support/api';

for (const dialect of DIALECTS) {
  const APP = dialect.url;

  test.describe(`params (${dialect.name})`, () => {
    test('reach the upstream in its form; a maxTokens shorter than the answer ends with length', async () => {
      const tag = uniqueTag('params');
      const params = { temperature: 0.4, maxTokens: 3, reasoningEffort: 'high' };
      const { streamUrl } = await postChat(
        `[[tag:${tag}]] [[delay:0]] one two three four five`,
        { params },
        APP(),
      );
      const result = await readSse(APP() + streamUrl);
      expect(await simRecord(tag)).toMatchObject({ api: dialect.api, params });
      expect(text(result.events)).toBe('Reply to: one');
      expect(result.events.at(-1)).toMatchObject({
        event: 'close',
        data: { finishReason: 'length' },
      });
    });

    test('each alone is passed alone; none passes none', async () => {
      for (const params of [
        { temperature: 0 },
        { maxTokens: 500 },
        { reasoningEffort: 'minimal' },
      ]) {
        const tag = uniqueTag('one-param');
        const { streamUrl } = await postChat(`[[tag:${tag}]] [[delay:0]] hi`, { params }, APP());
        const result = await readSse(APP() + streamUrl);
        expect((await simRecord(tag))?.params).toEqual(params);
        expect(result.events.at(-1)?.data).toEqual({ finishReason: 'stop' });
      }
      const tag = uniqueTag('no-params');
      const { streamUrl } = await postChat(`[[tag:${tag}]] [[delay:0]] hi`, {}, APP());
      await readSse(APP() + streamUrl);
      expect((await simRecord(tag))?.params).toEqual({});
    });

    test('bad values and unknown keys get 422 invalid_request and reach no upstream', async () => {
      const tag = uniqueTag('bad-params');
      for (const params of [
        { temperature: 2.5 },
        { temperature: -1 },
        { temperature: '0.5' },
        { maxTokens: 0 },
        { maxTokens: 10.5 },
        { maxTokens: -3 },
        { reasoningEffort: 'max' },
        { temperature: 1, top_p: 0.9 },
        { max_output_tokens: 10 },
        'warm',
        null,
      ]) {
        const res = await fetch(`${APP()}/api/chat`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...someClient() },
          body: JSON.stringify({
            messages: [{ role: 'user', content: `[[tag:${tag}]] hi` }],
            params,
          }),
        });
        expect(res.status, JSON.stringify(params)).toBe(422);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('invalid_request');
        expect(body.error.message).toMatch(/^Invalid request: params/);
      }
      expect(await simRecords(tag)).toEqual([]);
    });
  });
}
