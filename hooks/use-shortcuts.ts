'use client';
import { useEffect, type RefObject } from 'react';
import { chatActions } from '@/lib/client/store';

/** Where Escape already means something: leave it to that control. */
function escapeBelongsTo(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  // (Found by role and attributes, not by their names: those are in the person's language.)
  if (target.closest('[role="dialog"], [data-edit-message]')) return true;
  if (target instanceof HTMLSelectElement) return true;
  // A text field with something in it (search, rename, system prompt) clears or cancels.
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
    return target.value !== '' && target.id !== 'message';
  }
  return target.isContentEditable;
}

/**
 * Keyboard shortcuts that work from anywhere on the page: Ctrl/Cmd+Shift+O starts a new chat
 * (focusing the message box), Escape stops the open chat's streaming reply.
 */
export function useShortcuts(composer: RefObject<HTMLTextAreaElement | null>, streaming: boolean) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        chatActions.newChat();
        composer.current?.focus();
      } else if (e.key === 'Escape' && streaming && !e.defaultPrevented) {
        if (escapeBelongsTo(e.target)) return;
        e.preventDefault();
        chatActions.stop();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [composer, streaming]);
}
