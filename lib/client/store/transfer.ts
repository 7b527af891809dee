/**
 * Import and export: a JSON file of conversations (one or all, `toJson`; read back by
 * `importFile`) and a Markdown transcript of one (`toMarkdown`). The schemas and the import plan
 * load only when a file is imported, so zod stays out of the page's first load.
 */
import { saveConversation } from '@/lib/client/db';
import { filesOf, putFiles, type StoredFile } from '@/lib/client/attachments/files-db';
import { newId } from '@/lib/client/ids';
import type { Attachment, Conversation, ExportedFile, StoredMessage } from '@/lib/client/types';
import { migrateFlat, pathOf } from '@/lib/client/tree';
import { getState, set, sortByUpdated } from './state';
import { broadcast } from './tabs';

/** Why a file was not imported: `key` names the sentence in messages/<locale>.json. */
export class ImportError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

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
    throw new ImportError('sidebar.importNotJson', 'This file is not valid JSON.');
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) {
    throw new ImportError('sidebar.importNotExport', 'This file is not a StreamChat export.');
  }
  // Version 1 files (before trees) hold flat lists: each message follows the one before it.
  const incoming = parsed.data.conversations.map((c) => migrateFlat(c));
  const plan = planImport(getState().conversations, incoming, {
    now: Date.now(),
    newId,
  });
  // Attachments get fresh ids too: an imported copy never shares bytes with a chat already here.
  const files = parsed.data.files ?? [];
  const stored: StoredFile[] = [];
  plan.added.forEach((c, i) => {
    const source = plan.sourceIds[i];
    const renamed = new Map<string, string>();
    const rename = (a: Attachment): Attachment => {
      let id = renamed.get(a.id);
      if (!id) {
        id = newId();
        renamed.set(a.id, id);
        const file = files.find((f) => f.id === a.id && f.conversationId === source);
        if (file) {
          stored.push({ id, conversationId: c.id, blob: fromBase64(file), savedAt: Date.now() });
        }
      }
      return { ...a, id };
    };
    c.messages = c.messages.map((m) =>
      m.attachments ? { ...m, attachments: m.attachments.map(rename) } : m,
    );
  });
  await putFiles(stored);
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

function fromBase64(file: ExportedFile): Blob {
  const bytes = Uint8Array.from(atob(file.base64), (ch) => ch.charCodeAt(0));
  return new Blob([bytes], { type: file.type });
}

async function toBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** How an attachment is named in Markdown: an image as an image reference, a file as a link. */
function reference(a: Attachment): string {
  const name = a.name.replace(/[[\]]/g, '');
  const target = encodeURI(a.name).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`);
  return a.kind === 'image' ? `![${name}](${target})` : `[${name}](${target})`;
}

function attachmentLines(m: StoredMessage): string[] {
  if (!m.attachments?.length) return [];
  return [`Attached: ${m.attachments.map(reference).join(', ')}`, ''];
}

/** Markdown export of one conversation: the versions shown (the path on screen). */
export function toMarkdown(c: Conversation): string {
  const lines = [`# ${c.title}`, ''];
  if (c.systemPrompt.trim()) lines.push(`> System: ${c.systemPrompt.trim()}`, '');
  for (const m of pathOf(c)) {
    lines.push(
      `## ${m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`}`,
      '',
      ...attachmentLines(m),
      m.content,
      '',
    );
    if (m.status === 'stopped') lines.push('*(stopped)*', '');
    if (m.status === 'error') lines.push(`*(failed: ${m.error?.message ?? 'error'})*`, '');
  }
  return lines.join('\n');
}

/**
 * The JSON export, version 3: every version of every message (`parentId`, `selected`), and the
 * bytes of their attachments (`files`, base64).
 */
export async function toJson(conversations: Conversation[]): Promise<string> {
  const files: ExportedFile[] = [];
  for (const c of conversations) {
    const used = new Set(c.messages.flatMap((m) => (m.attachments ?? []).map((a) => a.id)));
    if (used.size === 0) continue;
    for (const f of await filesOf(c.id)) {
      if (!used.has(f.id)) continue;
      files.push({
        id: f.id,
        conversationId: c.id,
        type: f.blob.type,
        base64: await toBase64(f.blob),
      });
    }
  }
  return JSON.stringify({ app: 'streamchat', version: 3, conversations, files }, null, 2);
}
