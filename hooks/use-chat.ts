'use client';
import { useEffect, useSyncExternalStore } from 'react';
import {
  activeConversation,
  chatActions,
  chatStore,
  getServerSnapshot,
  isStreaming,
} from '@/lib/client/store';

/** The chat state (conversations, open one, models) and its actions, for components. */
export function useChat() {
  const state = useSyncExternalStore(chatStore.subscribe, chatStore.getSnapshot, getServerSnapshot);
  useEffect(() => {
    void chatActions.init();
  }, []);
  const active = activeConversation(state);
  const streaming = isStreaming(active);
  return { ...state, active, streaming, actions: chatActions };
}
