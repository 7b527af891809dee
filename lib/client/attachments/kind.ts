/**
 * What a dropped, pasted or picked file becomes: an image (scaled down, sent as an image part),
 * a text-like file (sent as a text part with its name), a PDF (its text, extracted in the
 * browser), or nothing (refused before sending, with the reason).
 */

import type { Attachment } from '@/lib/client/types';
import type { Text } from '@/lib/client/translate';

export type AttachmentKind = 'image' | 'text' | 'pdf';

/** A file made ready to send: what the message records, and the bytes to keep. */
export interface Prepared {
  attachment: Attachment;
  blob: Blob;
}

/** Why a file cannot be attached, said in the person's language by the message box. */
export interface Refusal {
  refused: Text;
}

/** Image types every vision model takes; others (HEIC, TIFF, SVG) are refused, SVG for safety. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

const TEXT_EXTENSIONS = new Set(
  (
    'txt md markdown csv tsv json jsonl yaml yml toml xml ini log ' +
    'js mjs cjs ts tsx jsx py rb go rs java kt swift c h cpp hpp cs php sh bash zsh sql ' +
    'html css scss vue svelte r lua pl dart scala ex exs hs ml'
  ).split(' '),
);

/** What the file picker offers (a drop or a paste may bring anything: `classify` decides). */
export const ACCEPT = [
  ...IMAGE_TYPES,
  'application/pdf',
  'text/*',
  'application/json',
  ...[...TEXT_EXTENSIONS].map((e) => `.${e}`),
].join(',');

/** The largest file taken before any processing (a photo is scaled down afterwards). */
export const MAX_INPUT_BYTES = {
  image: 20 * 1024 * 1024,
  text: 512 * 1024,
  pdf: 20 * 1024 * 1024,
} as const;

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** What a file is, or why it cannot be attached. */
export function classify(file: {
  name: string;
  type: string;
  size: number;
}): { kind: AttachmentKind } | Refusal {
  const type = file.type.toLowerCase();
  const ext = extension(file.name);
  let kind: AttachmentKind | undefined;
  if (IMAGE_TYPES.has(type)) kind = 'image';
  else if (type === 'application/pdf' || ext === 'pdf') kind = 'pdf';
  else if (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    TEXT_EXTENSIONS.has(ext)
  )
    kind = 'text';
  if (!kind) {
    return { refused: { key: 'attachments.refusedKind', values: { name: file.name } } };
  }
  if (file.size > MAX_INPUT_BYTES[kind]) {
    const mb = (MAX_INPUT_BYTES[kind] / 1024 / 1024).toFixed(kind === 'text' ? 1 : 0);
    return { refused: { key: 'attachments.refusedSize', values: { name: file.name, mb } } };
  }
  return { kind };
}

/** The size of a scaled image: the longest side at most `max`, proportions kept. */
export function scaledSize(
  width: number,
  height: number,
  max = 2048,
): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= max) return { width, height };
  const f = max / longest;
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)) };
}

/** "820 B", "12 KB", "1.4 MB": a file's size as people read it. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
