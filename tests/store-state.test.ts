/**
 * lib/client/store/state.ts: the selectors components and the store share, and updates that
 * replace only what they touch (so React compares by reference). Nothing here saves: IndexedDB
 * is never opened.
 */
import { describe, expect, it } from 'vitest';
import {
  activeConversation,
  chatStore,
  getServerSnapshot,
  isStreaming,
  set,
  streamingTitles,
  updateMessage,
} from '@/lib/client/store/state';
import type { Conversation, StoredMessage } from '@/lib/client/types';

function message(id: string, patch: Partial<StoredMessage> = {}): StoredMessage {
  return { id, role: 'assistant', content: '', status: 'done', createdAt: 0, ...patch };
}

function chat(id: string, messages: StoredMessage[], updatedAt = 0): Conversation {
  return { id, title: `Chat ${id}`, createdAt: 0, updatedAt, systemPrompt: '', messages };
}

describe('store state', () => {
  it('selects the open chat and whether its reply streams', () => {
    const a = chat('a', [message('a1')]);
    const b = chat('b', [message('b1', { status: 'streaming', replyId: 'r' })]);
    set({ conversations: [b, a], activeId: 'a' });
    const s = chatStore.getSnapshot();
    expect(activeConversation(s)).toBe(a);
    expect(isStreaming(activeConversation(s))).toBe(false);
    expect(isStreaming(b)).toBe(true);
    expect(isStreaming(undefined)).toBe(false);
    set({ activeId: null });
    expect(activeConversation()).toBeUndefined();
  });

  it('names the chats whose reply streams, not those still waiting to start', () => {
    set({
      conversations: [
        chat('a', [message('a1', { status: 'streaming', replyId: 'r' })]),
        chat('b', [message('b1', { status: 'streaming' })]),
        chat('c', [message('c1')]),
      ],
    });
    expect(streamingTitles()).toEqual(['Chat a']);
  });

  it('replaces only the message and chat it changes, and tells subscribers', () => {
    const other = chat('x', [message('x1')], 1);
    const c = chat('y', [message('y1'), message('y2')], 2);
    set({ conversations: [c, other] });
    let calls = 0;
    const unsubscribe = chatStore.subscribe(() => calls++);
    updateMessage('y', 'y2', (m) => ({ content: `${m.content}hi` }), 'no');
    unsubscribe();
    const [y, x] = chatStore.getSnapshot().conversations;
    expect(calls).toBe(1);
    expect(x).toBe(other);
    expect(y).not.toBe(c);
    expect(y!.messages[0]).toBe(c.messages[0]);
    expect(y!.messages[1]).toMatchObject({ id: 'y2', content: 'hi' });
  });

  it('keeps the server snapshot apart from later changes', () => {
    expect(getServerSnapshot()).toMatchObject({ ready: false, conversations: [] });
  });
});
