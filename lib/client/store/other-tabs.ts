/**
 * What other tabs tell this one (see `tabs.ts`): a message changed (shown live), a conversation
 * was saved (reloaded from IndexedDB, keeping what this tab has newer) or deleted.
 */
import { deleteConversation, loadConversation } from '@/lib/client/db';
import type { Conversation } from '@/lib/client/types';
import { isFollowing, resumeStreaming, wakeWaiting } from './replies';
import { findConversation, getState, replaceConversation, set, updateMessage } from './state';
import { broadcast, type Broadcast } from './tabs';

/**
 * Deletions seen, by conversation: a save announced before a delete, whose reading from
 * IndexedDB ends after it, must not bring the deleted chat back (a restore after the delete is
 * announced, and read, afterwards).
 */
const deletions = new Map<string, number>();

/**
 * Deleted in this tab and not restored: another tab that had not heard of the delete yet may
 * save it once more (a reply it followed ended); this tab deletes it again.
 */
const deletedHere = new Set<string>();

/** A conversation was deleted (`here`: by this tab, which may undo it). */
export function noteDeleted(id: string, here = false) {
  deletions.set(id, (deletions.get(id) ?? 0) + 1);
  if (here) deletedHere.add(id);
}

/** This tab restored a conversation it deleted (Undo). */
export function noteRestored(id: string) {
  deletedHere.delete(id);
}

export async function onBroadcast(event: Broadcast) {
  if (event.type === 'deleted') {
    noteDeleted(event.conversationId);
    const state = getState();
    set({
      conversations: state.conversations.filter((c) => c.id !== event.conversationId),
      activeId: state.activeId === event.conversationId ? null : state.activeId,
    });
    return;
  }
  if (event.type === 'message') {
    const c = findConversation(event.conversationId);
    if (!c) return;
    if (isFollowing(event.message.id)) {
      // Another tab pressed Stop on the reply this tab follows: its `close` is the person's stop.
      if (event.message.stopReason === 'user') {
        updateMessage(c.id, event.message.id, () => ({ stopReason: 'user' }), 'no');
      }
      return;
    }
    if (event.message.status !== 'streaming') wakeWaiting(); // a place may be free now
    const exists = c.messages.some((m) => m.id === event.message.id);
    replaceConversation({
      ...c,
      messages: exists
        ? c.messages.map((m) => (m.id === event.message.id ? event.message : m))
        : [...c.messages, event.message],
    });
    return;
  }
  if (deletedHere.has(event.conversationId)) {
    await deleteConversation(event.conversationId);
    broadcast({ type: 'deleted', conversationId: event.conversationId });
    return;
  }
  const before = deletions.get(event.conversationId);
  const saved = await loadConversation(event.conversationId);
  if (!saved || deletions.get(event.conversationId) !== before) return;
  // Keep a message where this tab's copy is ahead of the saved one (it streams it, or it has
  // seen later broadcasts): saves lag the live text by up to a second.
  const mine = findConversation(saved.id);
  const merged: Conversation = {
    ...saved,
    messages: saved.messages.map((m) => {
      const local = mine?.messages.find((x) => x.id === m.id);
      if (!local) return m;
      if (isFollowing(m.id)) return local;
      const ahead =
        local.replyId === m.replyId &&
        m.status === 'streaming' &&
        (local.lastEventId ?? 0) > (m.lastEventId ?? 0);
      return ahead ? local : m;
    }),
  };
  replaceConversation(merged);
  resumeStreaming(merged);
}
