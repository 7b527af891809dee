/**
 * Splits markdown into top-level blocks (paragraphs, lists, tables, fenced code, headings,
 * quotes…) so that a streaming reply can render each finished block once and re-render only
 * the last, growing one. Blocks are consecutive slices: `blocks.join('') === text`.
 *
 * A split point must be a real top-level boundary, where the text before and after parse the
 * same alone as together (https://spec.commonmark.org/0.31.2/#blocks-and-inlines). Splitting
 * too little is always safe (two blocks rendered together look the same), so the rules are
 * conservative: a boundary is one or more blank lines followed by a complete, unindented line,
 * except
 * - inside a fence (``` or ~~~), display math ($$) or an HTML block (`<pre>`, `<!-- -->`,
 *   `<div>`…), where a blank line is content or a fence is not one;
 * - when a list goes on with another item after blank lines (a loose list stays one list);
 * - when the text defines link references or footnotes (`[x]: url`, `[^1]: note`), which may be
 *   used in any block, or has a line that only a full parser could classify (an HTML tag alone
 *   on a line that may or may not go on a paragraph): then it is one block.
 * The deciding line must be complete (end with a newline) so that a boundary, once found, never
 * moves as text is appended: `- ` could still become a list item or a paragraph; except after
 * a block that no following line can join (see the end of `blockStarts`).
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const MATH_FENCE = /^ {0,3}(\${2,})[^$]*$/;
const LIST_ITEM = /^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const DEFINITION = /^ {0,3}\[(?:[^\]\\]|\\.)+\]:/;
/** Lines after which no paragraph can go on: ATX headings and thematic breaks. */
const NOT_PARAGRAPH = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$)/;
/** HTML blocks of CommonMark kinds 1–5, which end at a marker, not at a blank line. */
const HTML_TO_MARKER: [RegExp, RegExp][] = [
  [/^ {0,3}<(?:pre|script|style|textarea)(?:\s|>|$)/i, /<\/(?:pre|script|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![a-z]/i, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];
/** Kind 6 (block-level tags) and kind 7 (any tag alone on its line): they end at a blank line. */
const HTML_KIND_6 =
  /^ {0,3}<\/?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[\s/>]|$)/i;
const HTML_KIND_7 =
  /^ {0,3}(?:<[a-z][a-z0-9-]*(?:\s+[a-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[a-z][a-z0-9-]*\s*>)[ \t]*$/i;

/** A construct that may hold blank lines, while the scanner is inside it. */
type Open = { fence: string } | { math: number } | { html: RegExp } | { html: 'blank' };

const isBlank = (line: string) => /^[ \t]*$/.test(line);

/**
 * What `line` opens. A kind 7 tag cannot interrupt a paragraph; whether one is going on is not
 * always known without a full parser (a table row, a lazy line), so then it is `ambiguous`.
 */
function opens(line: string, maybeParagraph: boolean): Open | 'ambiguous' | null {
  const fence = FENCE.exec(line);
  // A backtick fence's info string cannot contain a backtick (then it is inline code).
  if (fence && !(fence[1]![0] === '`' && fence[2]!.includes('`'))) return { fence: fence[1]! };
  const math = MATH_FENCE.exec(line);
  if (math) return { math: math[1]!.length };
  for (const [start, end] of HTML_TO_MARKER) {
    // Closed on its own first line: it holds no blank line.
    if (start.test(line)) return end.test(line.replace(start, '')) ? null : { html: end };
  }
  if (HTML_KIND_6.test(line)) return { html: 'blank' };
  if (HTML_KIND_7.test(line)) return maybeParagraph ? 'ambiguous' : { html: 'blank' };
  return null;
}

function closes(open: Open, line: string): boolean {
  if ('fence' in open) {
    const m = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
    return !!m && m[1]![0] === open.fence[0] && m[1]!.length >= open.fence.length;
  }
  if ('math' in open) {
    const m = /^ {0,3}(\$+)[ \t]*$/.exec(line);
    return !!m && m[1]!.length >= open.math;
  }
  return open.html === 'blank' ? isBlank(line) : open.html.test(line);
}

/**
 * Follows complete lines from a block start and tells, for each, whether it is a blank line, a
 * line inside a fence, display math or HTML block (where blank lines are content), or a line
 * of its own at the top level.
 */
export function lineScanner() {
  let open: Open | null = null;
  let maybeParagraph = false;
  let ambiguous = false;
  return {
    feed(line: string): 'blank' | 'inside' | 'top' {
      if (open) {
        if (!closes(open, line)) return 'inside';
        open = null;
        maybeParagraph = false;
        return isBlank(line) ? 'blank' : 'inside'; // HTML kinds 6 and 7 end at a blank line
      }
      if (isBlank(line)) {
        maybeParagraph = false;
        return 'blank';
      }
      const opened = opens(line, maybeParagraph);
      if (opened === 'ambiguous') ambiguous = true;
      else open = opened;
      maybeParagraph = open === null && !NOT_PARAGRAPH.test(line);
      return 'top';
    },
    /** Inside a fence or display math: the rest of the text is code. */
    inCode: () => open !== null && !('html' in open),
    /** A line could be read two ways: better not split after it. */
    ambiguous: () => ambiguous,
  };
}

/**
 * Offsets where the blocks of `text` start, scanning from `from` (a block start); or `null`
 * when the text must not be split (see above).
 */
function blockStarts(text: string, from: number): number[] | null {
  const starts = [from];
  const scanner = lineScanner();
  let inList = false;
  let afterBlank = false;
  let pos = from;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break; // the last, incomplete line decides nothing
    const line = text.slice(pos, nl);
    const kind = scanner.feed(line);
    if (kind === 'blank') {
      afterBlank = true;
    } else if (kind === 'top') {
      if (DEFINITION.test(line) || scanner.ambiguous()) return null;
      const item = LIST_ITEM.test(line);
      if (afterBlank && !/^[ \t]/.test(line) && !(inList && item)) {
        starts.push(pos);
        inList = false;
      }
      // Once a list started, lines up to the next boundary may belong to it (lazy lines).
      inList ||= item;
      afterBlank = false;
    }
    pos = nl + 1;
  }
  // The last line is still being written. After a blank line, outside a list, a line that does
  // not start indented cannot belong to the block before, whatever it becomes: so that block is
  // finished now, not only once this line is (it is then not re-parsed while the line grows).
  // Should the line turn out to be a link definition, the next scan falls back to one block.
  if (pos < text.length && afterBlank && !inList && !/^[ \t]/.test(text.slice(pos, pos + 1))) {
    if (pos > starts.at(-1)!) starts.push(pos);
  }
  return starts;
}

/** The top-level blocks of `text`, as consecutive slices. */
export function splitBlocks(text: string): string[] {
  if (text === '') return [];
  const starts = blockStarts(text, 0) ?? [0];
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/**
 * A splitter for a text that grows by appending, as a streaming reply does. It rescans only the
 * last block, so an update costs the size of that block, not of the whole text (plus one
 * `startsWith`, a memory compare). Finished blocks keep their identity (the same string
 * objects), so memoised renderers compare them by reference.
 */
export function createBlockSplitter(): (text: string) => readonly string[] {
  let last = '';
  let starts: number[] = [];
  let blocks: string[] = [];
  return (text) => {
    if (text === last) return blocks;
    const appended = starts.length > 0 && text.startsWith(last);
    const keep = appended ? starts.length - 1 : 0;
    const tail = text === '' ? [] : blockStarts(text, appended ? starts[keep]! : 0);
    if (tail === null) {
      starts = [0];
      blocks = [text];
    } else {
      starts = [...starts.slice(0, keep), ...tail];
      blocks = [
        ...blocks.slice(0, keep),
        ...tail.map((s, i) => text.slice(s, tail[i + 1] ?? text.length)),
      ];
    }
    last = text;
    return blocks;
  };
}
