/**
 * Makes the end of a half-streamed markdown block render as it will once complete, so a reply
 * does not flash raw syntax: `**bold` renders bold, `` `code`` as code, `[text](http://ex` as
 * its text, and a lone marker that just arrived (`**`, `---`, a partial fence) is held back for
 * a frame. Only the last line is touched: that is where the stream is writing. An unclosed
 * fence needs nothing: CommonMark already runs it to the end of the text. The repair only
 * closes markers or drops a trailing fragment; it never adds a URL.
 * (The same idea as Vercel's `remend`, in the few rules a chat needs.)
 */
import { lineScanner } from './blocks';

/** List, quote and heading markers in front of a line's inline content. */
const LINE_PREFIX =
  /^(?:[ \t]*(?:>[ \t]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+|\[[ xX]\][ \t]+))*(?:#{1,6}[ \t]+)?/;

export function repairMarkdown(block: string): string {
  const nl = block.lastIndexOf('\n');
  const head = block.slice(0, nl + 1);
  const line = block.slice(nl + 1);
  if (insideFence(head)) {
    // Hold back what may be the start of the closing fence.
    return /^ {0,3}(?:`+|~+|\$+)$/.test(line) ? head : block;
  }
  // `-` or `=` under a paragraph would turn it into a heading until the line is complete; a
  // fence opener with fewer than three backticks would show as text.
  if (/^ {0,3}(?:-+|=+)[ \t]*$/.test(line) || /^ {0,3}(?:`{1,2}|~{1,2})$/.test(line)) return head;
  // Indented code (it can't interrupt a paragraph, so only when the block starts with it).
  if (/^(?: {4}|\t)/.test(line) && /^(?: {4}|\t)/.test(block)) return block;
  const prefix = LINE_PREFIX.exec(line)![0];
  return head + prefix + repairInline(line.slice(prefix.length));
}

function insideFence(complete: string): boolean {
  const scanner = lineScanner();
  for (const line of complete.split('\n').slice(0, -1)) scanner.feed(line);
  return scanner.inCode();
}

/** Closes the inline constructs left open at the end of `text` (one line of inline content). */
export function repairInline(text: string): string {
  // Code spans first: inside them nothing else is markup. A backtick run is closed by the next
  // run of the same length (https://spec.commonmark.org/0.31.2/#code-spans). `masked` is the
  // text with code (and later link destinations) replaced by `x`, so that markers inside them
  // are not counted while positions stay the same.
  let masked = '';
  let openCode: { at: number; run: string } | null = null;
  for (let i = 0; i < text.length;) {
    if (text[i] !== '`') {
      masked += openCode ? 'x' : text[i];
      i++;
      continue;
    }
    let end = i;
    while (text[end] === '`') end++;
    const run = text.slice(i, end);
    if (!openCode) openCode = { at: i, run };
    else if (run.length === openCode.run.length) openCode = null;
    masked += 'x'.repeat(run.length);
    i = end;
  }
  if (openCode) {
    // Nothing after the backticks yet: hold them back instead of showing an empty span.
    if (openCode.at + openCode.run.length === text.length) text = text.slice(0, openCode.at);
    else [text, masked] = [text + openCode.run, masked + 'x'.repeat(openCode.run.length)];
    return closeEmphasis(text, masked.slice(0, text.length));
  }
  return closeEmphasis(...trimLink(text, masked));
}

/** Drops an unfinished image, and an unfinished link down to its text. */
function trimLink(text: string, masked: string): [string, string] {
  const image = /!\[[^\]]*(?:\](?:\([^)]*)?)?$/.exec(masked);
  if (image) return [text.slice(0, image.index), masked.slice(0, image.index)];
  // `[text]` too: it may be a link waiting for its `(`.
  const link = /\[([^\]]*)(?:\](?:\([^)]*)?)?$/.exec(masked);
  if (link && masked[link.index - 1] !== '\\') {
    const label = link.index + 1;
    const cut = (s: string) => s.slice(0, link.index) + s.slice(label, label + link[1]!.length);
    return [cut(text), cut(masked)];
  }
  return [text, masked];
}

/**
 * Closes `**`, `~~`, `*` and `_` left open, innermost first. A marker with nothing after it yet
 * is dropped instead (it would show as a literal for a frame).
 */
function closeEmphasis(text: string, masked: string): string {
  // Complete link destinations may hold `_` or `*` (URLs): they are not emphasis.
  masked = masked.replace(/\]\([^)]*\)/g, (m) => ']' + 'x'.repeat(m.length - 1));
  const open: { at: number; marker: string }[] = [];
  for (const marker of ['**', '~~']) {
    const at = positions(masked, marker);
    if (at.length % 2 === 1) open.push({ at: at.at(-1)!, marker });
  }
  // Single `*`: not part of `**`, and an opener (followed by a non-space).
  const singles = positions(masked.replace(/\*\*/g, '  '), '*');
  const star = singles.at(-1);
  if (singles.length % 2 === 1 && star !== undefined && !/\s/.test(masked[star + 1] ?? '')) {
    open.push({ at: star, marker: '*' });
  }
  // Single `_` opens only at the start of a word (snake_case is not emphasis).
  const under = /(?:^|\s)_(?=[^\s_]|$)[^_]*$/.exec(masked);
  if (under) open.push({ at: masked.indexOf('_', under.index), marker: '_' });

  open.sort((a, b) => b.at - a.at);
  let out = text;
  for (const { at, marker } of open) {
    // Nothing after it (what is after it was only held-back markers): drop it.
    if (/^\s*$/.test(out.slice(at + marker.length))) out = out.slice(0, at);
    else {
      // `~~struck~`: the first half of the closer already arrived.
      out = out.trimEnd();
      if (marker === '~~' && out.endsWith('~')) out = out.slice(0, -1);
      out += marker;
    }
  }
  return out;
}

function positions(s: string, marker: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(marker); i !== -1; i = s.indexOf(marker, i + marker.length)) out.push(i);
  return out;
}
