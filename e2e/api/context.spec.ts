/**
 * Long conversations fit: the oldest messages are left out (whole) so that the conversation fits
 * the model's context window with room for the answer, never the system prompt or the last
 * message; `meta.omittedMessages` says how many. A last message too long on its own is a 413.
 * DISCOVERY's upstream reports `local-small` with an 8,192-token window.
 */
import { expect, test } from '@playwright/test';
import { readSse, text, uniqueTag } from '../support/api';

const DISCOVERY = () => process.env.DISCOVERY_URL!;
const LISTING_SIM = () => process.env.MODELS_SIMULATOR_URL!;

interface Received {
  tag?: string;
  messages: { role: string; content: string }[];
}

async function received(tag: string): Promise<Received | undefined> {
  const res = await fetch(`${LISTING_SIM()}/_stats`);
  const { requests } = (await res.json()) as { requests: Received[] };
  return requests.find((r) => r.tag === tag);
}

/** About 600 tokens of ordinary prose, numbered so that each message is told apart. */
const long = (n: number) =>
  `Message ${n}. ${'The quick brown fox jumps over the lazy dog. '.repeat(60)}`;

function post(messages: { role: string; content: string }[], params?: object) {
  return fetch(`${DISCOVERY()}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'local-small', messages, ...(params && { params }) }),
  });
}

test('a conversation longer than the window loses its oldest messages, whole, and says how many', async () => {
  const tag = uniqueTag('fit');
  const system = { role: 'system', content: `Answer briefly. ${'Be kind. '.repeat(40)}` };
  const history = Array.from({ length: 30 }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: long(i),
  }));
  const last = { role: 'user', content: `[[tag:${tag}]] And the last question, asked whole?` };
  const res = await post([system, ...history, last]);
  expect(res.status).toBe(201);
  const { streamUrl } = (await res.json()) as { streamUrl: string };
  const sse = await readSse(DISCOVERY() + streamUrl);
  const meta = sse.events[0]!;
  expect(meta.event).toBe('meta');
  const omitted = meta.data.omittedMessages as number;
  expect(omitted).toBeGreaterThan(0);
  expect(omitted % 2).toBe(0); // whole turns: what is kept starts with a question
  expect(text(sse.events)).not.toBe('');
  expect(sse.events.at(-1)).toMatchObject({ event: 'close', data: { finishReason: 'stop' } });

  const got = (await received(tag))!;
  expect(got.messages).toHaveLength(1 + history.length - omitted + 1);
  expect(got.messages[0]).toEqual({ ...system, images: [], files: [] });
  expect(got.messages.at(-1)!.content).toBe(last.content);
  expect(got.messages[1]).toMatchObject({ role: 'user', content: long(omitted) });
  // Every message sent is whole, and the newest ones are all there.
  got.messages.slice(1, -1).forEach((m, i) => expect(m.content).toBe(long(omitted + i)));
});

test('a conversation that fits is sent whole, with no omittedMessages', async () => {
  const tag = uniqueTag('fit-small');
  const res = await post([
    { role: 'user', content: long(1) },
    { role: 'assistant', content: long(2) },
    { role: 'user', content: `[[tag:${tag}]] short` },
  ]);
  const { streamUrl } = (await res.json()) as { streamUrl: string };
  const sse = await readSse(DISCOVERY() + streamUrl);
  expect(sse.events[0]!.data.omittedMessages).toBeUndefined();
  expect((await received(tag))!.messages).toHaveLength(3);
});

test('a last message too long for the window on its own is a 413 context_too_long', async () => {
  const res = await post([
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: 'Hi' },
    { role: 'user', content: 'word '.repeat(9000) },
  ]);
  expect(res.status).toBe(413);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('context_too_long');
  expect(body.error.message).toMatch(/too long for this model/);
});
