/**
 * Generation settings (`params` of POST /api/chat): what is accepted and refused, and the form
 * each upstream dialect is sent; the simulator's reading of them back.
 */
import { describe, expect, it } from 'vitest';
import { parseChatRequest } from '@/lib/chat/request';
import { TEST_LIMITS } from './helpers';
import { ApiError } from '@/lib/http/api-error';
import { chatCompletionsBody, chatCompletionsParams } from '@/lib/llm/chat-completions';
import { receivedParams } from '@/lib/simulator/dialects';

const LIMITS = TEST_LIMITS;

const messages = [{ role: 'user', content: 'hi' }];

function parse(body: unknown) {
  return parseChatRequest(
    new Request('http://localhost/api/chat', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    LIMITS,
  );
}

describe('params in POST /api/chat', () => {
  it('accepts each setting alone, all together, none, and an empty object', async () => {
    for (const params of [
      { temperature: 0 },
      { temperature: 2 },
      { temperature: 0.7 },
      { maxTokens: 1 },
      { maxTokens: 128000 },
      { reasoningEffort: 'minimal' },
      { reasoningEffort: 'high' },
      { temperature: 1, maxTokens: 50, reasoningEffort: 'low' },
      {},
    ]) {
      await expect(parse({ messages, params })).resolves.toEqual({ messages, params });
    }
    await expect(parse({ messages })).resolves.toEqual({ messages });
  });

  it.each([
    ['a temperature below 0', { temperature: -0.1 }],
    ['a temperature above 2', { temperature: 2.01 }],
    ['a temperature as a string', { temperature: '1' }],
    ['a null temperature', { temperature: null }],
    ['maxTokens 0', { maxTokens: 0 }],
    ['negative maxTokens', { maxTokens: -5 }],
    ['fractional maxTokens', { maxTokens: 1.5 }],
    ['maxTokens past a safe integer', { maxTokens: 2 ** 53 }],
    ['an unknown reasoningEffort', { reasoningEffort: 'extreme' }],
    ['an unknown key', { temperature: 1, top_p: 0.5 }],
    ['a dialect name for a known setting', { max_tokens: 10 }],
    ['params that are not an object', 'hot'],
    ['params that are an array', [1]],
    ['params that are null', null],
  ])('refuses %s with 422 invalid_request', async (_, params) => {
    const error = await parse({ messages, params }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).code).toBe('invalid_request');
    expect((error as ApiError).message).toMatch(/^Invalid request: params/);
  });
});

describe('params in the Chat Completions form', () => {
  it('maps each given setting to its field and leaves the others out', () => {
    expect(chatCompletionsParams()).toEqual({});
    expect(chatCompletionsParams({})).toEqual({});
    expect(chatCompletionsParams({ temperature: 0 })).toEqual({ temperature: 0 });
    expect(chatCompletionsParams({ maxTokens: 9 })).toEqual({ max_completion_tokens: 9 });
    expect(chatCompletionsParams({ reasoningEffort: 'minimal' })).toEqual({
      reasoning_effort: 'minimal',
    });
  });

  it('builds the streaming request with usage asked for', () => {
    expect(
      chatCompletionsBody({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        params: { temperature: 0.5, maxTokens: 20, reasoningEffort: 'high' },
      }),
    ).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.5,
      max_completion_tokens: 20,
      reasoning_effort: 'high',
    });
  });
});

describe('the simulator reads params back from each dialect', () => {
  it('from Chat Completions fields', () => {
    expect(
      receivedParams(
        { temperature: 0.2, max_completion_tokens: 7, reasoning_effort: 'low' },
        'chat.completions',
      ),
    ).toEqual({ temperature: 0.2, maxTokens: 7, reasoningEffort: 'low' });
    expect(receivedParams({ max_tokens: 3 }, 'chat.completions')).toEqual({ maxTokens: 3 });
    // The other dialect's names mean nothing here.
    expect(
      receivedParams({ max_output_tokens: 7, reasoning: { effort: 'low' } }, 'chat.completions'),
    ).toEqual({});
  });

  it('from Responses fields', () => {
    expect(
      receivedParams(
        { temperature: 0, max_output_tokens: 7, reasoning: { effort: 'high', summary: 'auto' } },
        'responses',
      ),
    ).toEqual({ temperature: 0, maxTokens: 7, reasoningEffort: 'high' });
    expect(
      receivedParams({ max_completion_tokens: 7, reasoning_effort: 'low' }, 'responses'),
    ).toEqual({});
  });
});
