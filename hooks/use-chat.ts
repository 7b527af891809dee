'use client';
import { useEffect, useSyncExternalStore } from 'react';
import { chatActions, chatStore, getServerSnapshot } from '@/lib/client/chat-store';

/** The chat state (conversations, open one, models) and its actions, for components. */
export function useChat() {
  const state = useSyncExternalStore(chatStore.subscribe, chatStore.getSnapshot, getServerSnapshot);
  useEffect(() => {
    void chatActions.init();
  }, []);
  const active = state.conversations.find((c) => c.id === state.activeId);
  const streaming = active?.messages.at(-1)?.status === 'streaming';
  return { ...state, active, streaming, actions: chatActions };
}
