/**
 * What is kept of what a person types, and how a continued reply joins the text before it.
 * Pure: used by the message box, the edit box and the chat store, so that the bubble, the
 * history sent to the server and the edit box all hold the same text.
 */

/**
 * A message as typed, minus trailing whitespace (the blank lines left after pasting). Leading
 * spaces are kept: they are the indentation of pasted code. All whitespace gives ''.
 */
export function cleanMessage(text: string): string {
  return text.replace(/\s+$/u, '');
}

/** The counter is shown from this share of the limit. */
export const COUNTER_FROM = 0.9;

export interface LengthStatus {
  /** Whether to show the counter at all. */
  show: boolean;
  /** Longer than the server accepts: Send is disabled. */
  over: boolean;
  /** "18,500 / 20,000" */
  count: string;
  /** Characters too many, when over. */
  excess: number;
}

// Formatting runs at each keystroke near the limit: one formatter per locale.
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string): Intl.NumberFormat {
  let format = formats.get(locale);
  if (!format) formats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format;
}

/**
 * Where a message of `length` characters stands against the server's `max` (UTF-16 units, as
 * the server counts); the counter's numbers are written for `locale`.
 */
export function lengthStatus(
  length: number,
  max: number | undefined,
  locale = 'en-US',
): LengthStatus {
  if (!max || max <= 0) return { show: false, over: false, count: '', excess: 0 };
  const number = numberFormat(locale);
  return {
    show: length >= max * COUNTER_FROM,
    over: length > max,
    count: `${number.format(length)} / ${number.format(max)}`,
    excess: Math.max(0, length - max),
  };
}

/**
 * The first text of a continuation, joined to the reply so far. A model asked to "start with the
 * next word" often drops the space after a finished sentence ("…done.Next"): a space goes in
 * between sentence punctuation and a letter. Anything else is joined as is: the text may have
 * stopped mid-word (the continuation finishes the word), or inside markdown syntax, which a
 * separator would break.
 */
export function joinContinuation(before: string, next: string): string {
  if (/[.!?;:,]$/u.test(before) && /^[\p{L}\p{N}]/u.test(next)) return ' ' + next;
  return next;
}
