/**
 * Attachments as they travel in a message's content parts: images as `image_url` parts (data
 * URLs), files as text parts that name them. Shared by the browser (which builds them), the demo
 * model and the test server (which say and record what they received).
 */

/** A text-like file's text, framed with its name so the model (and a person) knows what it is. */
export function fileText(name: string, text: string): string {
  return `--- File: ${name} ---\n${text}\n--- End of ${name} ---`;
}

const FILE = /^--- File: (.+) ---$/gm;

/** The names of the files framed in a text. */
export function fileNames(text: string): string[] {
  return [...text.matchAll(FILE)].map((m) => m[1]!);
}

export interface ReceivedImage {
  /** `image/png`…, or `url` for an image given by https URL. */
  mediaType: string;
  /** Decoded bytes of a data URL; 0 for a URL. */
  bytes: number;
  /** Pixel size, where the receiver read it (a PNG, JPEG, WebP or GIF data URL). */
  width?: number;
  height?: number;
}

/** What a data URL or https URL carries, without fetching anything. */
export function describeImage(url: string): ReceivedImage {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!m) return { mediaType: 'url', bytes: 0 };
  const base64 = m[2]!;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return { mediaType: m[1]!, bytes: Math.max(0, (base64.length / 4) * 3 - padding) };
}

/**
 * "1 image (image/png, 800×600, 12.3 KB) and 1 file (notes.txt)" (the pixel size where known), or
 * '' when there is nothing.
 */
export function attachmentSummary(images: ReceivedImage[], files: string[]): string {
  const size = (b: number) => (b < 1024 ? `${b} B` : `${(b / 1024).toFixed(1)} KB`);
  const parts: string[] = [];
  if (images.length > 0) {
    const what = images
      .map((i) => {
        if (i.mediaType === 'url') return 'by URL';
        const pixels = i.width && i.height ? `${i.width}×${i.height}, ` : '';
        return `${i.mediaType}, ${pixels}${size(i.bytes)}`;
      })
      .join('; ');
    parts.push(`${images.length} image${images.length === 1 ? '' : 's'} (${what})`);
  }
  if (files.length > 0) {
    parts.push(`${files.length} file${files.length === 1 ? '' : 's'} (${files.join(', ')})`);
  }
  return parts.join(' and ');
}
