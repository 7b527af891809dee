import 'server-only';
/**
 * The conversation a model is sent: fitted to its context window (`fit.ts`), counted with
 * OpenAI's o200k tokenizer (`gpt-tokenizer`), loaded the first time a conversation is long enough
 * to need counting. For other models' tokenizers it is an estimate; the room kept for the answer
 * absorbs the difference, and an upstream that still says "too long" gives `context_too_long`.
 */
import { cachedCounter, fitConversation, upperBound, type FitMessage, type Fitted } from './fit';

let counter: Promise<(text: string) => number> | undefined;

function tokenCounter(): Promise<(text: string) => number> {
  counter ??= import('gpt-tokenizer').then(({ countTokens }) =>
    cachedCounter((text) => countTokens(text)),
  );
  return counter;
}

/** The tokens of `text` (OpenAI's o200k tokenizer; an estimate for other models). */
export async function countTokens(text: string): Promise<number> {
  return (await tokenCounter())(text);
}

export async function fitToWindow<M extends FitMessage>(
  messages: M[],
  contextTokens: number | undefined,
  reserveTokens: number,
): Promise<Fitted<M>> {
  if (!contextTokens) return { ok: true, messages, omitted: 0 };
  const bound = upperBound(messages);
  const available = contextTokens - reserveTokens;
  if (bound <= available) {
    // A chat past half its window will need counting soon: the tokenizer (about half a second
    // to load) loads now, in the background, instead of on the request that needs it.
    if (bound > available / 2) void tokenCounter();
    return { ok: true, messages, omitted: 0 };
  }
  return fitConversation(messages, { contextTokens, reserveTokens, count: await tokenCounter() });
}
