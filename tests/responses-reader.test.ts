/**
 * The Responses dialect without a network: its reader on byte streams (every event type, values
 * of the wrong type, malformed and oversized events, every way the bytes can be cut), the
 * conversation as `input`, and `params` in its form.
 */
import { describe, expect, it } from 'vitest';
import { APIError } from 'openai';
import {
  createResponsesReader,
  responsesBody,
  responsesInput,
  responsesParams,
} from '@/lib/llm/responses';
import { MAX_EVENT_CHARS } from '@/lib/llm/reader';
import { toErrorData, UpstreamFault } from '@/lib/llm/errors';
import { bytesOf, readEverySplit, readReads } from './reader-helpers';

const make = createResponsesReader;

let seq = 0;
const ev = (type: string, fields: object = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
const response = (status: string, extra: object = {}) => ({
  id: 'resp_1',
  object: 'response',
  status,
  output: [],
  usage: null,
  ...extra,
});
const usage = { input_tokens: 12, output_tokens: 4, total_tokens: 16 };
const text = (delta: unknown) =>
  ev('response.output_text.delta', { item_id: 'msg_1', output_index: 1, content_index: 0, delta });
const summary = (delta: unknown) =>
  ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', output_index: 0, delta });
const completed = (u: object | null = usage) =>
  ev('response.completed', { response: response('completed', { usage: u }) });

const START =
  ev('response.created', { response: response('in_progress') }) +
  ev('response.in_progress', { response: response('in_progress') });
const MESSAGE_OPEN =
  ev('response.output_item.added', {
    output_index: 1,
    item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] },
  }) +
  ev('response.content_part.added', {
    item_id: 'msg_1',
    output_index: 1,
    content_index: 0,
    part: { type: 'output_text', text: '' },
  });

describe('createResponsesReader', () => {
  it('reads the whole event sequence the same however the bytes are cut', () => {
    const stream =
      ': comment\n\n' +
      START +
      ev('response.output_item.added', {
        output_index: 0,
        item: { id: 'rs_1', type: 'reasoning' },
      }) +
      summary('Hmm, ') +
      ev('response.reasoning_text.delta', { item_id: 'rs_1', delta: 'raw.' }) +
      ev('response.reasoning_summary_text.done', { item_id: 'rs_1', text: 'Hmm, ' }) +
      MESSAGE_OPEN +
      text('Grüße, 東京 🚀') +
      text('\r\nline') +
      ev('response.output_text.done', { item_id: 'msg_1', text: 'Grüße, 東京 🚀\r\nline' }) +
      ev('response.content_part.done', { item_id: 'msg_1' }) +
      ev('response.output_item.done', { output_index: 1 }) +
      completed();
    const out = readEverySplit(make, stream);
    expect(out.deltas).toEqual([
      { type: 'reasoning', content: 'Hmm, ' },
      { type: 'reasoning', content: 'raw.' },
      { type: 'text', content: 'Grüße, 東京 🚀' },
      { type: 'text', content: '\r\nline' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 4, totalTokens: 16 } },
    ]);
    expect(out).toMatchObject({ finished: true, done: true, failure: undefined });
  });

  it('reads events without `event:` lines too (the type is in the data)', () => {
    const stream = `data: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'a' })}\n\ndata: ${JSON.stringify({ type: 'response.completed', response: {} })}\n\n`;
    const out = readEverySplit(make, stream);
    expect(out.deltas).toEqual([
      { type: 'text', content: 'a' },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(out.finished).toBe(true);
  });

  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content_filter'],
    [undefined, 'length'],
  ])('maps response.incomplete for %s to finish %s, with its usage', (reason, finish) => {
    const out = readEverySplit(
      make,
      text('cut') +
        ev('response.incomplete', {
          response: response('incomplete', {
            incomplete_details: reason === undefined ? null : { reason },
            usage,
          }),
        }),
    );
    expect(out.deltas).toEqual([
      { type: 'text', content: 'cut' },
      { type: 'finish', reason: finish },
      { type: 'usage', usage: { promptTokens: 12, completionTokens: 4, totalTokens: 16 } },
    ]);
    expect(out).toMatchObject({ finished: true, done: true });
  });

  it('reads nothing after the terminal event', () => {
    const out = readEverySplit(make, text('a') + completed() + text('b'));
    expect(out.deltas.filter((d) => d.type === 'text')).toEqual([{ type: 'text', content: 'a' }]);
  });

  it('is not finished when the body ends without a terminal event (a cut answer)', () => {
    const out = readReads(make, [bytesOf(START + MESSAGE_OPEN + text('a'))]);
    expect(out).toMatchObject({ finished: false, done: false, failure: undefined });
  });

  it('is done but not finished on a [DONE] before any terminal event', () => {
    const out = readReads(make, [bytesOf(text('a') + 'data: [DONE]\n\n')]);
    expect(out).toMatchObject({ finished: false, done: true, failure: undefined });
  });

  it('computes a missing total and drops usage whose counts are not counts', () => {
    expect(
      readReads(make, [bytesOf(completed({ input_tokens: 3, output_tokens: 2 }))]).deltas,
    ).toEqual([
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
    ]);
    for (const bad of [
      { input_tokens: '12', output_tokens: { x: 1 }, total_tokens: null },
      { input_tokens: -1, output_tokens: 2, total_tokens: 1 },
    ]) {
      const out = readReads(make, [bytesOf(completed(bad))]);
      expect(out.deltas).toEqual([{ type: 'finish', reason: 'stop' }]);
      expect(out.failure).toBeUndefined();
    }
    expect(readReads(make, [bytesOf(completed(null))]).deltas).toEqual([
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('skips events it has no use for, null data and comments', () => {
    const out = readEverySplit(
      make,
      START +
        MESSAGE_OPEN +
        ev('response.output_text.annotation.added', { annotation: {} }) +
        ev('response.refusal.delta', { delta: 'no' }) +
        'data: null\n\n' +
        'data: {"choices":[]}\n\n' +
        ': hi\n\n',
    );
    expect(out).toMatchObject({ deltas: [], finished: false, done: false, failure: undefined });
  });

  it('turns response.failed into an APIError without a status (upstream_error)', () => {
    const headers = new Headers({ 'x-request-id': 'r1' });
    const reader = make({ onDelta: () => {}, headers });
    const error = { code: 'server_error', message: 'The model had an internal error' };
    reader.feed(
      bytesOf(text('a') + ev('response.failed', { response: response('failed', { error }) })),
    );
    expect(reader.failure).toBeInstanceOf(APIError);
    expect((reader.failure as APIError).status).toBeUndefined();
    expect((reader.failure as APIError).error).toEqual(error);
    expect(toErrorData(reader.failure)).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(reader.feed(bytesOf(text('b')))).toBe(false);
  });

  it('turns an error event (flat, as typed, or with an error object) into an APIError', () => {
    for (const event of [
      ev('error', { code: 'rate_limit_exceeded', message: 'Slow down', param: null }),
      ev('error', { error: { type: 'server_error', code: 'x', message: 'Boom' } }),
      `data: ${JSON.stringify({ error: { message: 'Boom' } })}\n\n`,
    ]) {
      const out = readEverySplit(make, text('a') + event + text('b'));
      expect(out.deltas).toEqual([{ type: 'text', content: 'a' }]);
      expect(out.failure).toBeInstanceOf(APIError);
      expect(toErrorData(out.failure)).toMatchObject({ code: 'upstream_error' });
    }
    const flat = readReads(make, [bytesOf(ev('error', { code: 'c', message: 'm', param: 'p' }))]);
    expect((flat.failure as APIError).error).toEqual({ code: 'c', message: 'm', param: 'p' });
  });

  it('fails on an event that is not JSON (SyntaxError), after the text before it', () => {
    const out = readEverySplit(
      make,
      text('a') +
        'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": [\n\n' +
        text('b'),
    );
    expect(out.deltas).toEqual([{ type: 'text', content: 'a' }]);
    expect(out.failure).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['a number as the data', 'data: 42\n\n'],
    ['an array as the data', 'data: [1,2]\n\n'],
    ['a type that is not a string', 'data: {"type":7,"delta":"x"}\n\n'],
    ['text that is a number', text(123)],
    ['text that is an object', text({ a: 1 })],
    ['a reasoning summary that is a number', summary(42)],
    [
      'an incomplete reason that is an object',
      ev('response.incomplete', {
        response: response('incomplete', { incomplete_details: { reason: { r: 'stop' } } }),
      }),
    ],
  ])('fails with bad_upstream_response on %s, never relaying it', (_, event) => {
    const out = readEverySplit(make, text('ok') + event + text('after'));
    expect(out.deltas).toEqual([{ type: 'text', content: 'ok' }]);
    expect(out.failure).toBeInstanceOf(UpstreamFault);
    expect((out.failure as UpstreamFault).code).toBe('bad_upstream_response');
  });

  it('fails with bad_upstream_response on an event past MAX_EVENT_CHARS', () => {
    const reader = make({ onDelta: () => {} });
    reader.feed(bytesOf('event: response.output_text.delta\ndata: {"delta":"'));
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
    const event = bytesOf(text('a'));
    expect(reader.feed(event.subarray(0, 30))).toBe(false);
    expect(reader.feed(event.subarray(30))).toBe(true);
    expect(reader.feed(bytesOf(': comment\n'))).toBe(false);
  });
});

describe('the conversation as Responses input', () => {
  it('makes a first system message the instructions, and keeps later ones in place', () => {
    expect(
      responsesInput([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'system', content: [{ type: 'text', text: 'Now in French.' }] },
        { role: 'user', content: 'Again' },
      ]),
    ).toEqual({
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!' }] },
        { role: 'system', content: 'Now in French.' },
        { role: 'user', content: 'Again' },
      ],
    });
  });

  it('has no instructions without a leading system message', () => {
    expect(responsesInput([{ role: 'user', content: 'Hi' }])).toEqual({
      input: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('turns text parts into input_text and image parts into input_image, URLs as they are', () => {
    const data = 'data:image/png;base64,iVBORw0KGgo=';
    expect(
      responsesInput([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: data } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'low' } },
            { type: 'text', text: '--- file: a.csv ---\n1,2' },
          ],
        },
      ]),
    ).toEqual({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: data, detail: 'auto' },
            { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'low' },
            { type: 'input_text', text: '--- file: a.csv ---\n1,2' },
          ],
        },
      ],
    });
  });

  it('joins the text parts of an assistant message into its output text', () => {
    expect(
      responsesInput([
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'one ' },
            { type: 'text', text: 'two' },
          ],
        },
        { role: 'user', content: 'go on' },
      ]).input[0],
    ).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'one two' }],
    });
  });
});

describe('params in the Responses form', () => {
  it('maps each given setting to its field and leaves the others out', () => {
    expect(responsesParams()).toEqual({});
    expect(responsesParams({ temperature: 2 })).toEqual({ temperature: 2 });
    expect(responsesParams({ maxTokens: 9 })).toEqual({ max_output_tokens: 9 });
    expect(responsesParams({ reasoningEffort: 'medium' })).toEqual({
      reasoning: { effort: 'medium', summary: 'auto' },
    });
  });

  it('builds a streaming request that stores nothing', () => {
    expect(
      responsesBody({
        model: 'm',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'hi' },
        ],
        params: { temperature: 0.5, maxTokens: 20, reasoningEffort: 'low' },
      }),
    ).toEqual({
      model: 'm',
      instructions: 'S',
      input: [{ role: 'user', content: 'hi' }],
      stream: true,
      store: false,
      temperature: 0.5,
      max_output_tokens: 20,
      reasoning: { effort: 'low', summary: 'auto' },
    });
  });
});
