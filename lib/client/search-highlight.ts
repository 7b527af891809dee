/**
 * Shows a sidebar search hit inside the opened conversation: every match is painted with the CSS
 * Custom Highlight API (the `::highlight(search)` rule in app/globals.css), which needs no change
 * to the DOM React owns, and the first match is scrolled into view.
 *
 * The conversation renders after the selection and its replies' markdown is loaded on demand,
 * so the matches are looked for again as the section changes, for a few seconds at most.
 */

const NAME = 'search';
const WAIT_MS = 4000;
let stopWatching: (() => void) | null = null;

/** Offsets of every case-insensitive occurrence of `q` (already lower-case) in `text`. */
export function matchOffsets(text: string, q: string): number[] {
  const out: number[] = [];
  if (!q) return out;
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) out.push(at);
  return out;
}

function supported(): boolean {
  return typeof CSS !== 'undefined' && 'highlights' in CSS && typeof Highlight !== 'undefined';
}

function rangesIn(root: Element, q: string): Range[] {
  const ranges: Range[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // Buttons and screen-reader-only labels are not what was said.
    if (node.parentElement?.closest('button, .sr-only')) continue;
    for (const at of matchOffsets(node.textContent ?? '', q)) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + q.length);
      ranges.push(range);
    }
  }
  return ranges;
}

function inView(r: DOMRect): boolean {
  return r.top >= 0 && r.bottom <= (window.innerHeight || document.documentElement.clientHeight);
}

export function clearSearchHighlight() {
  stopWatching?.();
  stopWatching = null;
  if (supported()) CSS.highlights.delete(NAME);
}

/** Highlights `query` in the conversation section and scrolls its first match into view. */
export function showSearchMatch(query: string) {
  clearSearchHighlight();
  const q = query.trim().toLowerCase();
  if (!q || typeof document === 'undefined') return;
  let observer: MutationObserver | null = null;
  const started = performance.now();
  const apply = () => {
    const section = document.querySelector('section[data-conversation]');
    if (!section) return;
    const ranges = rangesIn(section, q);
    if (supported()) CSS.highlights.set(NAME, new Highlight(...ranges));
    // Scrolled again while the view settles (it opens at its end, and late-rendered replies
    // grow it), for a moment only: after that the scroll is the person's.
    const first = ranges[0]?.getBoundingClientRect();
    const parent = ranges[0]?.startContainer.parentElement;
    if (first && parent && performance.now() - started < 1500 && !inView(first)) {
      parent.scrollIntoView({ block: 'center' });
    }
  };
  const timer = setTimeout(() => observer?.disconnect(), WAIT_MS);
  observer = new MutationObserver(apply);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  stopWatching = () => {
    clearTimeout(timer);
    observer?.disconnect();
  };
  requestAnimationFrame(apply);
}
