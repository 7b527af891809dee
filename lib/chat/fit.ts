/**
 * Fitting a conversation into a model's context window: when it does not fit with room for the
 * answer, the oldest messages are left out — whole messages only, never the system prompt, never
 * the last message — and the caller says how many (`meta.omittedMessages`). When even the system
 * prompt and the last message do not fit, nothing is sent (`context_too_long`).
 *
 * Counting is the cost to watch: most conversations are far below the window, and a token is at
 * least one byte of UTF-8 (byte-level BPE), so a conversation whose bytes fit is sent without
 * tokenizing. Otherwise each text is counted once and remembered (a chat sends its history again
 * with every question).
 */
import { createHash } from 'node:crypto';

export interface FitMessage {
  role: string;
  content: unknown;
}

/** Tokens a message costs besides its text (role and separators, as OpenAI's chat format counts). */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/**
 * What one image costs, whatever its size: OpenAI's high-detail price of a 2,048 × 1,536 image
 * (scaled to 1,024 × 768: 4 tiles of 170, plus 85), the largest the browser sends.
 */
export const IMAGE_TOKENS = 765;

export type Fitted<M> =
  { ok: true; messages: M[]; omitted: number } | { ok: false; needed: number; available: number };

export interface FitOptions {
  /** The model's context window. */
  contextTokens: number;
  /** Room kept for the answer. */
  reserveTokens: number;
  /** Tokens of a text (the tokenizer). */
  count: (text: string) => number;
}

/** The text and the number of images of a message's content (a string or content parts). */
function partsOf(content: unknown): { texts: string[]; images: number } {
  if (typeof content === 'string') return { texts: [content], images: 0 };
  const texts: string[] = [];
  let images = 0;
  if (Array.isArray(content)) {
    for (const part of content as { type?: unknown; text?: unknown }[]) {
      if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part?.type === 'image_url') images++;
    }
  }
  return { texts, images };
}

/** An upper bound of a message's tokens without tokenizing (its UTF-8 bytes). */
function bound(m: FitMessage): number {
  const { texts, images } = partsOf(m.content);
  let n = MESSAGE_OVERHEAD_TOKENS + images * IMAGE_TOKENS;
  for (const t of texts) n += Buffer.byteLength(t);
  return n;
}

function tokens(m: FitMessage, count: (text: string) => number): number {
  const { texts, images } = partsOf(m.content);
  let n = MESSAGE_OVERHEAD_TOKENS + images * IMAGE_TOKENS;
  for (const t of texts) n += count(t);
  return n;
}

/**
 * The messages that fit, oldest left out first. Leading system messages stay, and so does the
 * last message; after leaving messages out, the kept ones start with a user message (an answer
 * whose question was left out goes too).
 */
/** An upper bound of a conversation's tokens, without tokenizing. */
export function upperBound(messages: readonly FitMessage[]): number {
  let n = 0;
  for (const m of messages) n += bound(m);
  return n;
}

export function fitConversation<M extends FitMessage>(
  messages: M[],
  options: FitOptions,
): Fitted<M> {
  const available = options.contextTokens - options.reserveTokens;
  // The fast path: an upper bound that fits means the real count does.
  if (upperBound(messages) <= available) return { ok: true, messages, omitted: 0 };

  let system = 0;
  while (system < messages.length - 1 && messages[system]!.role === 'system') system++;
  const costs = messages.map((m) => tokens(m, options.count));
  let total = costs.reduce((a, b) => a + b, 0);
  if (total <= available) return { ok: true, messages, omitted: 0 };

  const last = messages.length - 1;
  let from = system; // the first message kept after the system prompt
  while (from < last && (total > available || messages[from]!.role !== 'user')) {
    total -= costs[from]!;
    from++;
  }
  if (total > available) return { ok: false, needed: total, available };
  return {
    ok: true,
    messages: [...messages.slice(0, system), ...messages.slice(from)],
    omitted: from - system,
  };
}

/**
 * Remembers token counts of texts seen recently (a conversation is sent again with each turn), by
 * a hash of the text: hashing runs at memory speed, tokenizing is some 20 times slower, and the
 * cache holds no text.
 */
export function cachedCounter(count: (text: string) => number, maxEntries = 5000) {
  const cache = new Map<string, number>();
  return (text: string): number => {
    // Short texts are cheaper to count than to hash.
    if (text.length < 256) return count(text);
    const key = createHash('sha1').update(text).digest('base64');
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const n = count(text);
    cache.set(key, n);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return n;
  };
}
