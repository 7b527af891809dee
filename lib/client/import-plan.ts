/**
 * What an import adds. A chat counts as already here when its content is identical to a stored
 * one: same title and same messages (role, text and creation time, in order). Ids are not
 * compared: every import gets fresh ids, so the same export imported twice would otherwise
 * never match. Import counts as activity: the imported chats go to the top of the list, in the
 * file's order (the first of the file on top, and the one opened).
 */
import type { Conversation } from '@/lib/client/types';
import type { Text } from '@/lib/client/translate';

/** cyrb53: a fast 53-bit string hash, plenty for telling a few thousand chats apart. */
function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

type Content = Pick<Conversation, 'title' | 'messages'>;

/** The identity of a chat's content (what a person would call "the same chat"). */
export function contentKey(c: Content): string {
  return hash53(JSON.stringify([c.title, c.messages.map((m) => [m.role, m.content, m.createdAt])]));
}

export interface ImportPlan {
  /** Ready to store, newest first: fresh ids, `updatedAt` from `now` down. */
  added: Conversation[];
  /** The id each added chat had in the file (its attachments name it). */
  sourceIds: string[];
  skipped: number;
  /** The stored chat identical to the file's first one, when that one was skipped. */
  firstExistingId: string | null;
}

export function planImport(
  existing: readonly Conversation[],
  incoming: readonly Conversation[],
  { now, newId }: { now: number; newId: () => string },
): ImportPlan {
  const stored = new Map(existing.map((c) => [contentKey(c), c.id]));
  const added: Conversation[] = [];
  const sourceIds: string[] = [];
  let skipped = 0;
  let firstExistingId: string | null = null;
  incoming.forEach((c, i) => {
    const key = contentKey(c);
    const same = stored.get(key);
    if (same !== undefined) {
      skipped++;
      if (i === 0) firstExistingId = same;
      return;
    }
    const id = newId();
    stored.set(key, id); // the same chat twice in one file is imported once
    sourceIds.push(c.id);
    added.push({
      ...c,
      id,
      // One millisecond apart keeps the file's order at the top of a list sorted by activity.
      updatedAt: now - added.length,
      // Unfinished replies cannot resume here.
      messages: c.messages.map((m) =>
        m.status === 'streaming' ? { ...m, status: 'stopped', replyId: undefined } : m,
      ),
    });
  });
  return { added, sourceIds, skipped, firstExistingId };
}

/** What the sidebar says after an import (a key of messages/<locale>.json, with the counts). */
export function importSummary(imported: number, skipped: number): Text {
  const key =
    skipped === 0
      ? 'sidebar.imported'
      : imported === 0
        ? 'sidebar.importedNone'
        : 'sidebar.importedSome';
  return { key, values: { imported, skipped } };
}
