/**
 * Saving conversations to IndexedDB (`lib/client/db.ts`): at once, or within a delay that
 * coalesces the writes in between (a streaming reply changes its message on every flush; one
 * save a second is enough, and `flush` writes what is pending when the page goes away).
 */
import { saveConversation } from '@/lib/client/db';
import type { Conversation } from '@/lib/client/types';

export interface Saves {
  /**
   * Saves now (the promise ends when the write does), or within `delayMs` (a save already
   * pending for this id covers it).
   */
  save(id: string, delayMs?: number): Promise<void>;
  /** Saves at once every conversation whose save is pending. */
  flush(): void;
}

/**
 * `read` gives the conversation as it is when the save runs (not when it was asked for);
 * `onSaved` runs after each write (other tabs are told then).
 */
export function createSaves(
  read: (id: string) => Conversation | undefined,
  onSaved: (id: string) => void,
): Saves {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  function save(id: string, delayMs = 0): Promise<void> {
    const pendingTimer = timers.get(id);
    if (delayMs > 0 && pendingTimer) return Promise.resolve();
    if (pendingTimer) clearTimeout(pendingTimer);
    const run = async () => {
      timers.delete(id);
      const c = read(id);
      if (!c) return;
      await saveConversation(c);
      onSaved(id);
    };
    if (delayMs === 0) return run();
    timers.set(
      id,
      setTimeout(() => void run(), delayMs),
    );
    return Promise.resolve();
  }

  return {
    save,
    flush() {
      for (const id of timers.keys()) void save(id);
    },
  };
}
