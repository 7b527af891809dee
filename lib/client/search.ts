/**
 * Sidebar search: which conversations match a query (title or what was said) and the short
 * snippet of a message that shows why, with the match marked.
 */
import type { Conversation } from '@/lib/client/types';

export interface Snippet {
  before: string;
  match: string;
  after: string;
}

export function normalizeQuery(query: string): string {
  return query.trim().toLowerCase();
}

export function matchesQuery(c: Conversation, q: string): boolean {
  if (!q) return true;
  return (
    c.title.toLowerCase().includes(q) || c.messages.some((m) => m.content.toLowerCase().includes(q))
  );
}

/**
 * Where a text matches: `radius` characters of context on each side, cut at word boundaries
 * where one is near, whitespace collapsed, an ellipsis where the text goes on.
 */
export function snippetOf(text: string, q: string, radius = 30): Snippet | null {
  if (!q) return null;
  const at = text.toLowerCase().indexOf(q);
  if (at < 0) return null;
  let start = Math.max(0, at - radius);
  let end = Math.min(text.length, at + q.length + radius);
  const space = text.indexOf(' ', start);
  if (start > 0 && space >= 0 && space < at) start = space + 1;
  const lastSpace = text.lastIndexOf(' ', end);
  if (end < text.length && lastSpace > at + q.length) end = lastSpace;
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  return {
    before: (start > 0 ? '…' : '') + flat(text.slice(start, at)).trimStart(),
    match: text.slice(at, at + q.length),
    after: flat(text.slice(at + q.length, end)).trimEnd() + (end < text.length ? '…' : ''),
  };
}

/** The snippet to show under a title: only when the title itself does not match. */
export function conversationSnippet(c: Conversation, q: string): Snippet | null {
  if (!q || c.title.toLowerCase().includes(q)) return null;
  for (const m of c.messages) {
    const s = snippetOf(m.content, q);
    if (s) return s;
  }
  return null;
}
