/**
 * Import and export: a JSON file of conversations (one or all, `toJson`; read back by
 * `importFile`) and a Markdown transcript of one (`toMarkdown`). The schemas and the import plan
 * load only when a file is imported, so zod stays out of the page's first load.
 */
import { saveConversation } from '@/lib/client/db';
import { newId } from '@/lib/client/ids';
import type { Conversation } from '@/lib/client/types';
import { migrateFlat, pathOf } from '@/lib/client/tree';
import { getState, set, sortByUpdated } from './state';
import { broadcast } from './tabs';

/** Imports an export file: new chats go on top and the first is opened; copies are skipped. */
export async function importFile(file: File): Promise<{ imported: number; skipped: number }> {
  const [{ exportSchema }, { planImport }] = await Promise.all([
    import('@/lib/client/types'),
    import('@/lib/client/import-plan'),
  ]);
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    throw new Error('This file is not valid JSON.');
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) throw new Error('This file is not a StreamChat export.');
  // Version 1 files (before trees) hold flat lists: each message follows the one before it.
  const incoming = parsed.data.conversations.map((c) => migrateFlat(c));
  const plan = planImport(getState().conversations, incoming, {
    now: Date.now(),
    newId,
  });
  const ids = new Set(plan.added.map((c) => c.id));
  const state = getState();
  set({
    conversations: sortByUpdated([
      ...plan.added,
      ...state.conversations.filter((c) => !ids.has(c.id)),
    ]),
    activeId: plan.added[0]?.id ?? plan.firstExistingId ?? state.activeId,
  });
  for (const c of plan.added) {
    await saveConversation(c);
    broadcast({ type: 'changed', conversationId: c.id });
  }
  return { imported: plan.added.length, skipped: plan.skipped };
}

/** Markdown export of one conversation: the versions shown (the path on screen). */
export function toMarkdown(c: Conversation): string {
  const lines = [`# ${c.title}`, ''];
  if (c.systemPrompt.trim()) lines.push(`> System: ${c.systemPrompt.trim()}`, '');
  for (const m of pathOf(c)) {
    lines.push(
      `## ${m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`}`,
      '',
      m.content,
      '',
    );
    if (m.status === 'stopped') lines.push('*(stopped)*', '');
    if (m.status === 'error') lines.push(`*(failed: ${m.error?.message ?? 'error'})*`, '');
  }
  return lines.join('\n');
}

/** The JSON export, version 2: every version of every message (`parentId`, `selected`). */
export function toJson(conversations: Conversation[]): string {
  return JSON.stringify({ app: 'streamchat', version: 2, conversations }, null, 2);
}
