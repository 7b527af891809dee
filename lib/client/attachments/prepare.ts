/**
 * Makes a picked, pasted or dropped file ready to send (loaded on first use, with the PDF reader
 * only when a PDF comes): an image is drawn at most 2,048 px on its longest side and encoded
 * again (a phone photo goes from megabytes to a few hundred KB, and its metadata — location
 * included — stays behind); a text file is read as UTF-8; a PDF gives its text.
 */
import { newId } from '@/lib/client/ids';
import { classify, scaledSize, type Prepared, type Refusal } from './kind';

/** A refusal of this file: a key of messages/<locale>.json, said with the file's name. */
function refuse(file: File, key: string): Refusal {
  return { refused: { key, values: { name: file.name } } };
}

/** What one image may weigh after scaling (the server's MAX_IMAGE_BYTES, by default 5 MiB). */
export interface PrepareLimits {
  maxImageBytes: number;
}

async function encode(
  bitmap: ImageBitmap,
  width: number,
  height: number,
  type: string,
  quality?: number,
): Promise<Blob | null> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

async function prepareImage(file: File, limits: PrepareLimits): Promise<Prepared | Refusal> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return refuse(file, 'attachments.unreadableImage');
  }
  const { width, height } = scaledSize(bitmap.width, bitmap.height);
  // Screenshots stay sharp as PNG; photos (and PNGs too heavy as PNG) become JPEG.
  let blob =
    file.type === 'image/png' || file.type === 'image/gif'
      ? await encode(bitmap, width, height, 'image/png')
      : null;
  if (!blob || blob.size > Math.min(limits.maxImageBytes, 2 * 1024 * 1024)) {
    blob = await encode(bitmap, width, height, 'image/jpeg', 0.85);
  }
  bitmap.close();
  if (!blob) return refuse(file, 'attachments.unreadableImage');
  if (blob.size > limits.maxImageBytes) {
    return refuse(file, 'attachments.imageTooLarge');
  }
  return {
    attachment: {
      id: newId(),
      kind: 'image',
      name: file.name || 'image',
      type: blob.type,
      size: blob.size,
      width,
      height,
    },
    blob,
  };
}

function asFile(file: File, text: string): Prepared | Refusal {
  if (!text.trim()) return refuse(file, 'attachments.noText');
  const blob = new Blob([text], { type: 'text/plain;charset=utf-8' });
  return {
    attachment: {
      id: newId(),
      kind: 'file',
      name: file.name,
      type: file.type || 'text/plain',
      size: blob.size,
    },
    blob,
  };
}

async function prepareText(file: File): Promise<Prepared | Refusal> {
  const text = await file.text();
  // A NUL or a run of replacement characters: a binary file with a text-like name.
  if (text.includes('\u0000') || (text.match(/\uFFFD/g)?.length ?? 0) > 8) {
    return refuse(file, 'attachments.notText');
  }
  return asFile(file, text);
}

async function preparePdf(file: File): Promise<Prepared | Refusal> {
  const { pdfText } = await import('./pdf-text');
  let text: string;
  try {
    text = await pdfText(await file.arrayBuffer());
  } catch {
    return refuse(file, 'attachments.unreadablePdf');
  }
  if (!text.trim()) {
    return refuse(file, 'attachments.scannedPdf');
  }
  return asFile(file, text);
}

/** A file made ready to send, or why it cannot be. */
export async function prepare(file: File, limits: PrepareLimits): Promise<Prepared | Refusal> {
  const kind = classify(file);
  if ('refused' in kind) return kind;
  if (kind.kind === 'image') return prepareImage(file, limits);
  if (kind.kind === 'pdf') return preparePdf(file);
  return prepareText(file);
}
