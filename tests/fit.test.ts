import { describe, expect, it, vi } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import {
  cachedCounter,
  fitConversation,
  IMAGE_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  type FitMessage,
} from '@/lib/chat/fit';

const turn = (i: number, words: number): FitMessage[] => [
  { role: 'user', content: `Question ${i}: ${'lorem ipsum dolor '.repeat(words)}` },
  { role: 'assistant', content: `Answer ${i}: ${'sit amet consectetur '.repeat(words)}` },
];
const cost = (m: FitMessage) =>
  MESSAGE_OVERHEAD_TOKENS + countTokens(typeof m.content === 'string' ? m.content : '');

describe('fitting a conversation into the context window', () => {
  it('sends a conversation that fits unchanged, without tokenizing it', () => {
    const count = vi.fn(countTokens);
    const messages = [
      { role: 'system', content: 'Be brief.' },
      ...turn(1, 5),
      { role: 'user', content: 'Next?' },
    ];
    const fitted = fitConversation(messages, { contextTokens: 8000, reserveTokens: 1000, count });
    expect(fitted).toEqual({ ok: true, messages, omitted: 0 });
    expect(count).not.toHaveBeenCalled();
  });

  it('leaves out the oldest messages, whole, keeping the system prompt and the last question', () => {
    const system = { role: 'system', content: 'You are terse. '.repeat(20) };
    const last = { role: 'user', content: 'And finally: what now?' };
    const messages = [system, ...turn(1, 200), ...turn(2, 200), ...turn(3, 200), last];
    const options = { contextTokens: 3000, reserveTokens: 500, count: countTokens };
    const fitted = fitConversation(messages, options);
    if (!fitted.ok) throw new Error('expected a fit');
    expect(fitted.messages[0]).toBe(system);
    expect(fitted.messages.at(-1)).toBe(last);
    expect(fitted.messages[1]!.role).toBe('user');
    expect(fitted.omitted).toBe(messages.length - fitted.messages.length);
    expect(fitted.omitted).toBeGreaterThan(0);
    // The tokenizer's own count: what is kept fits, and one more turn back would not.
    const kept = fitted.messages.reduce((n, m) => n + cost(m), 0);
    expect(kept).toBeLessThanOrEqual(2500);
    const firstKept = messages.indexOf(fitted.messages[1]!);
    const turnBack = cost(messages[firstKept - 1]!) + cost(messages[firstKept - 2]!);
    expect(kept + turnBack).toBeGreaterThan(2500);
  });

  it('an answer whose question was left out goes too: what is kept starts with a question', () => {
    const messages = [...turn(1, 300), ...turn(2, 10), { role: 'user', content: 'ok?' }];
    const fitted = fitConversation(messages, {
      contextTokens: 1500,
      reserveTokens: 200,
      count: countTokens,
    });
    if (!fitted.ok) throw new Error('expected a fit');
    expect(fitted.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(fitted.omitted).toBe(2);
  });

  it('says so when even the system prompt and the last message do not fit', () => {
    const messages = [
      { role: 'system', content: 'Rules. '.repeat(10) },
      ...turn(1, 5),
      { role: 'user', content: 'word '.repeat(5000) },
    ];
    const fitted = fitConversation(messages, {
      contextTokens: 4000,
      reserveTokens: 1000,
      count: countTokens,
    });
    expect(fitted.ok).toBe(false);
    if (fitted.ok) return;
    expect(fitted.available).toBe(3000);
    expect(fitted.needed).toBeGreaterThan(5000);
  });

  it('an image costs the same fixed share, whatever its bytes', () => {
    const withImage = {
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(4000)}` } },
      ],
    };
    const fitted = fitConversation([withImage], {
      contextTokens: IMAGE_TOKENS + 50,
      reserveTokens: 0,
      count: countTokens,
    });
    expect(fitted.ok).toBe(true);
    const tooSmall = fitConversation([withImage], {
      contextTokens: IMAGE_TOKENS,
      reserveTokens: 0,
      count: countTokens,
    });
    expect(tooSmall.ok).toBe(false);
  });

  it('counts a long text once while it is sent again', () => {
    const count = vi.fn(countTokens);
    const cached = cachedCounter(count, 2);
    const a = 'alpha '.repeat(100);
    const b = 'beta '.repeat(100);
    const c = 'gamma '.repeat(100);
    expect(cached(a)).toBe(countTokens(a));
    cached(a);
    cached(b);
    expect(count).toHaveBeenCalledTimes(2);
    cached(c); // evicts a, the least recently used
    cached(a);
    expect(count).toHaveBeenCalledTimes(4);
  });
});
