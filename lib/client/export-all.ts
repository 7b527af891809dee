/**
 * "Export all chats": every conversation in the single-chat JSON export format, in one file named
 * after the day (`streamchat-2026-11-30.json`). Loaded on first use.
 */
import { toJson } from '@/lib/client/store';
import type { Conversation } from '@/lib/client/types';

export function exportFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `streamchat-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

export async function exportAll(conversations: Conversation[], now = new Date()) {
  const json = await toJson(conversations);
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), {
    href: url,
    download: exportFileName(now),
  });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
