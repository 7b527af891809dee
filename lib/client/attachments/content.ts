/**
 * What a message sends: its text, or (with attachments) content parts in the Chat Completions
 * form the API takes — each file as a text part that names it, the typed text, each image as a
 * data URL. Read from the stored bytes each time a branch is sent again (Edit, Regenerate).
 */
import { fileText } from '@/lib/chat/attachments';
import type { StoredMessage } from '@/lib/client/types';
import { getBlob } from './files-db';

export type ContentPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface HistoryMessage {
  role: string;
  content: string | ContentPart[];
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsDataURL(blob);
  });
}

async function contentOf(m: StoredMessage, seeing: boolean): Promise<HistoryMessage['content']> {
  if (!m.attachments?.length) return m.content;
  const files: ContentPart[] = [];
  const images: ContentPart[] = [];
  for (const a of m.attachments) {
    if (a.kind === 'image' && !seeing) {
      files.push({
        type: 'text',
        text: `[Image “${a.name}” left out: this model cannot see images.]`,
      });
      continue;
    }
    const blob = await getBlob(a.id);
    if (!blob) {
      // An import that lost the bytes: the model is told, rather than left guessing.
      files.push({
        type: 'text',
        text: `[${a.kind === 'image' ? 'Image' : 'File'} “${a.name}” is no longer available.]`,
      });
    } else if (a.kind === 'image') {
      images.push({ type: 'image_url', image_url: { url: await dataUrl(blob) } });
    } else {
      files.push({ type: 'text', text: fileText(a.name, await blob.text()) });
    }
  }
  return [...files, ...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...images];
}

/**
 * The messages of a branch as sent upstream (answers with no text are left out). For a model
 * that cannot see (`seeing: false`), the earlier images of the chat go as a line that names
 * them, so that a chat with a picture can go on with a text-only model.
 */
export async function historyOf(
  messages: StoredMessage[],
  { seeing = true }: { seeing?: boolean } = {},
): Promise<HistoryMessage[]> {
  const sent = messages.filter((m) => m.role === 'user' || m.content);
  return Promise.all(
    sent.map(async (m) => ({ role: m.role, content: await contentOf(m, seeing) })),
  );
}

/** How many images a branch carries (one request may carry only so many). */
export function imageCount(messages: readonly StoredMessage[]): number {
  let n = 0;
  for (const m of messages) for (const a of m.attachments ?? []) if (a.kind === 'image') n++;
  return n;
}
