/**
 * The pixel size of an image sent as a data URL, read from its header by `image-size`, so that the
 * test server can show what arrived (a large image scaled down in the browser) and the demo model
 * can say it. Never fetches a URL.
 */
import { imageSize } from 'image-size';

/** The formats a request may carry (lib/chat/request.ts); image-size's names for them. */
const FORMATS = new Set(['png', 'jpg', 'webp', 'gif']);

const DATA_URL = /^data:image\/[^;,]+;base64,(.*)$/s;

/** Width and height in pixels, or undefined for an https URL or bytes that are not such an image. */
export function imageDimensions(url: string): { width: number; height: number } | undefined {
  const m = DATA_URL.exec(url);
  if (!m) return undefined;
  try {
    const { type, width, height } = imageSize(Buffer.from(m[1]!, 'base64'));
    if (!type || !FORMATS.has(type) || !(width > 0) || !(height > 0)) return undefined;
    return { width, height };
  } catch {
    return undefined; // image-size throws on anything it cannot read
  }
}
