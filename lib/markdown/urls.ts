/**
 * Which URLs from model output may become a link or an image source. Model output is untrusted
 * (a prompt can make a model write anything), so only absolute http(s) links and mailto: are
 * kept: no `javascript:`, `vbscript:`, `data:` or `file:`, and no relative URLs into this app.
 * The URL is parsed the way the browser will parse it (entities are already decoded by the
 * markdown parser; the URL parser strips the spaces and control characters that tricks like
 * `java\tscript:` rely on), and the normalised form is what gets rendered.
 */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const IMAGE_PROTOCOLS = new Set(['http:', 'https:']);

export function safeUrl(url: string, kind: 'link' | 'image' = 'link'): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // relative or malformed
  }
  const allowed = kind === 'image' ? IMAGE_PROTOCOLS : LINK_PROTOCOLS;
  return allowed.has(parsed.protocol) ? parsed.href : undefined;
}

/** Whether a safe link leaves the app (and so opens in a new tab). */
export const isWebUrl = (url: string) => /^https?:/i.test(url);
