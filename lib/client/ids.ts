/** Small helpers for new conversations and messages (kept apart from the zod schemas). */

export function newId(): string {
  return crypto.randomUUID();
}

export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
}
