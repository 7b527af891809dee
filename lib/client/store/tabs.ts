/**
 * What tabs of this site share: Web Locks (one tab follows each reply, the others queue to take
 * over) and a BroadcastChannel (every change this tab makes, so the others show it live). Only
 * the means live here; what a tab does with the others' messages is in `other-tabs.ts`.
 */
import type { StoredMessage } from '@/lib/client/types';

export type Broadcast =
  | { type: 'message'; conversationId: string; message: StoredMessage }
  | { type: 'changed'; conversationId: string }
  | { type: 'deleted'; conversationId: string };

let channel: BroadcastChannel | null = null;

/** Held by the tab following the reply. */
export const replyLock = (replyId: string) => `streamchat-reply:${replyId}`;
/** Held while a reply's POST is in flight (see `startReply`). */
export const sendLock = (messageId: string) => `streamchat-send:${messageId}`;

export function broadcast(message: Broadcast) {
  channel?.postMessage(message);
}

/** Opens the channel (once the page runs in a browser that has one) and hands over what arrives. */
export function listenToOtherTabs(onMessage: (event: Broadcast) => void) {
  if (typeof BroadcastChannel === 'undefined') return;
  channel = new BroadcastChannel('streamchat');
  channel.onmessage = (e: MessageEvent<Broadcast>) => onMessage(e.data);
}

/** Runs `fn` holding a Web Lock (all tabs of this site share them); without locks, just runs. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request(name, fn) as Promise<T>;
  }
  return fn();
}

/** Runs `fn` holding a Web Lock if no tab holds it now; without locks, does nothing. */
export async function ifLockFree(name: string, fn: () => Promise<void>): Promise<void> {
  if (typeof navigator === 'undefined' || !('locks' in navigator)) return;
  await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return; // another tab holds it right now
    await fn();
  });
}
