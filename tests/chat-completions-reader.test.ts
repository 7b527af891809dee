/**
 * The Chat Completions reader on byte streams, without a network: every event type, values of
 * the wrong type, malformed and oversized events, and every way the bytes can be cut.
 */
import { describe, expect, it } from 'vitest';
import { APIError } from 'openai';
import { createChatCompletionsReader } from '@/lib/llm/chat-completions';
import { MAX_EVENT_CHARS } from '@/lib/llm/reader';
import { UpstreamFault } from '@/lib/llm/errors';
import { bytesOf, readEverySplit, readReads } from './reader-helpers';

const make = createChatCompletionsReader;

const chunk = (delta: object, finish: unknown = null, extra: object = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const usage = (prompt: unknown, completion: unknown, total: unknown) =>
  `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } })}\n\n`;
const DONE = 'data: [DONE]\n\n';

describe('createChatCompletionsReader', () => {
  it('reads a whole stream the same however the bytes are cut', () => {
    const stream =
      ': keep-alive comment\n\n' +
      chunk({ role: 'assistant', content: '' }) +
      chunk({ reasoning_content: 'Hmm, ' }) +
      chunk({ reasoning: 'ok.' }) +
      chunk({ content: 'Grüße, 東京 🚀' }) +
      // CRLF line endings and a data line split over two `data:` fields are SSE too.
      'data: {"choices":[{"delta":{"content":"\\nline"},\r\ndata: "finish_reason":null}]}\r\n\r\n' +
      chunk({}, 'stop') +
      usage(12, 4, 16) +
      DONE;
    const out = readEverySplit(make, stream);
    expect(out.deltas).toEqual([
      { type: 'reasoning', content: 'Hmm, ' },
      { type: 'reasoning', content: 'ok.' },
      { type: 'text', content: 'Grüße, 東京 🚀' },
      { type: 'text', content: '\nline' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 4, totalTokens: 16 } },
    ]);
    expect(out).toMatchObject({ finished: true, done: true, failure: undefined });
  });

  it('maps finish reasons: length and content_filter kept, anything else is stop', () => {
    for (const [reason, mapped] of [
      ['length', 'length'],
      ['content_filter', 'content_filter'],
      ['tool_calls', 'stop'],
      ['eos', 'stop'],
    ]) {
      const out = readReads(make, [bytesOf(chunk({ content: 'a' }, reason) + DONE)]);
      expect(out.deltas.at(-1)).toEqual({ type: 'finish', reason: mapped });
    }
  });

  it('is finished but not done after a finish reason without [DONE] (the body may end there)', () => {
    const out = readReads(make, [bytesOf(chunk({ content: 'a' }, 'stop'))]);
    expect(out).toMatchObject({ finished: true, done: false, failure: undefined });
  });

  it('is done but not finished on [DONE] without a finish reason (a cut answer)', () => {
    const out = readReads(make, [bytesOf(chunk({ content: 'a' }) + DONE)]);
    expect(out).toMatchObject({ finished: false, done: true, failure: undefined });
  });

  it('reads nothing after [DONE]', () => {
    const out = readEverySplit(
      make,
      chunk({ content: 'a' }, 'stop') + DONE + chunk({ content: 'b' }),
    );
    expect(out.deltas.filter((d) => d.type === 'text')).toEqual([{ type: 'text', content: 'a' }]);
  });

  it('computes a missing or bad total and drops usage whose counts are not counts', () => {
    expect(readReads(make, [bytesOf(usage(3, 2, null))]).deltas).toEqual([
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
    for (const bad of [
      usage('12', 2, 14),
      usage(3, { x: 1 }, 4),
      usage(-1, 2, 1),
      usage(1.5, 2, 3),
    ]) {
      const out = readReads(make, [bytesOf(bad)]);
      expect(out.deltas).toEqual([]);
      expect(out.failure).toBeUndefined();
    }
  });

  it('skips null chunks, empty choices and comments', () => {
    const out = readEverySplit(make, 'data: null\n\n' + 'data: {"choices":[]}\n\n' + ': hi\n\n');
    expect(out).toMatchObject({ deltas: [], finished: false, done: false, failure: undefined });
  });

  it('turns an error object inside the stream into an APIError without a status', () => {
    const headers = new Headers({ 'x-request-id': 'r1' });
    const reader = make({ onDelta: () => {}, headers });
    reader.feed(
      bytesOf(
        chunk({ content: 'a' }) + 'data: {"error":{"message":"boom","type":"server_error"}}\n\n',
      ),
    );
    expect(reader.failure).toBeInstanceOf(APIError);
    expect((reader.failure as APIError).status).toBeUndefined();
    expect((reader.failure as APIError).error).toEqual({ message: 'boom', type: 'server_error' });
    // The text before it was handed over; nothing after it is read.
    expect(reader.feed(bytesOf(chunk({ content: 'b' })))).toBe(false);
  });

  it('fails on a chunk that is not JSON (SyntaxError), after the text before it', () => {
    const out = readEverySplit(
      make,
      chunk({ content: 'a' }) + 'data: {"id": "oops", "choices": [\n\n' + chunk({ content: 'b' }),
    );
    expect(out.deltas).toEqual([{ type: 'text', content: 'a' }]);
    expect(out.failure).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['a number as the chunk', 'data: 42\n\n'],
    ['an array as the chunk', 'data: [1,2]\n\n'],
    ['choices that are not an array', 'data: {"choices":{"0":{}}}\n\n'],
    ['content that is a number', chunk({ content: 123 })],
    ['content that is an object', chunk({ content: { a: 1 } })],
    ['reasoning_content that is a number', chunk({ reasoning_content: 42 })],
    ['a finish_reason that is an object', chunk({}, { r: 'stop' })],
  ])('fails with bad_upstream_response on %s, never relaying it', (_, event) => {
    const out = readEverySplit(
      make,
      chunk({ content: 'ok' }) + event + chunk({ content: 'after' }),
    );
    expect(out.deltas).toEqual([{ type: 'text', content: 'ok' }]);
    expect(out.failure).toBeInstanceOf(UpstreamFault);
    expect((out.failure as UpstreamFault).code).toBe('bad_upstream_response');
  });

  it('fails with bad_upstream_response on an event past MAX_EVENT_CHARS, without a line break ever', () => {
    const reader = make({ onDelta: () => {} });
    reader.feed(bytesOf('data: '));
    const block = bytesOf('x'.repeat(64 * 1024));
    let reads = 0;
    while (reader.failure === undefined && reads < 100) {
      reader.feed(block);
      reads++;
    }
    expect(reads * block.length).toBeGreaterThanOrEqual(MAX_EVENT_CHARS - 64 * 1024);
    expect(reads * block.length).toBeLessThanOrEqual(MAX_EVENT_CHARS + 64 * 1024);
    expect((reader.failure as UpstreamFault).code).toBe('bad_upstream_response');
  });

  it('says when a feed completed an event (life, for the idle timeout)', () => {
    const reader = make({ onDelta: () => {} });
    const event = bytesOf(chunk({ content: 'a' }));
    expect(reader.feed(event.subarray(0, 10))).toBe(false);
    expect(reader.feed(event.subarray(10))).toBe(true);
    expect(reader.feed(bytesOf(': comment\n'))).toBe(false);
  });

  it('hands deltas over during feed, in order, through onDelta', () => {
    const seen: string[] = [];
    const reader = make({
      onDelta: (d) => seen.push(d.type === 'text' || d.type === 'reasoning' ? d.content : d.type),
    });
    reader.feed(bytesOf(chunk({ reasoning_content: 'r', content: 't' }, 'length')));
    expect(seen).toEqual(['r', 't', 'finish']);
  });
});
