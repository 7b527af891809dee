'use client';
/**
 * An assistant reply (possibly still streaming) as markdown, smoothly: the text is split into
 * top-level blocks, each rendered by its own memoised component, so a new token re-parses and
 * re-renders only the last block and the cost of an update does not grow with the length of
 * the reply. Pass `streaming` while the reply grows: the last block is then repaired so that
 * half-written syntax (`**bold`, an unfinished link) does not flash, and code blocks are
 * highlighted once complete. The highlighter and KaTeX load only for replies that need them.
 */
import { lazy, memo, Suspense, useState, type ReactNode } from 'react';
import { createBlockSplitter } from '@/lib/markdown/blocks';
import { repairMarkdown } from '@/lib/markdown/repair';

/**
 * The renderer (react-markdown + GFM, about 45 KB compressed) is not part of the page's first
 * load: it is fetched when the person starts typing (`preloadMarkdown`) or when a reply is first
 * shown. Once it is there, blocks use it directly; until then, a finished block shows as plain
 * text and a growing one as nothing (never half-written syntax).
 */
type Renderer = (typeof import('@/components/markdown/block'))['MarkdownBlock'];
let loaded: Renderer | null = null;
const loadRenderer = () =>
  import('@/components/markdown/block').then((m) => {
    loaded = m.MarkdownBlock;
    return { default: m.MarkdownBlock };
  });
const LazyBlock = lazy(loadRenderer);

export function preloadMarkdown(): void {
  void loadRenderer();
}

function PlainBlock({ text, growing }: { text: string; growing: boolean }) {
  return growing ? null : <p className="whitespace-pre-wrap">{text}</p>;
}

/** A line that opens (or closes) a fenced code block. */
const FENCE = /^ {0,3}(?:`{3,}|~{3,})/m;

/** Finished blocks are laid out in groups of this many (see `BlockGroup`). */
const GROUP = 16;

export const Markdown = memo(function Markdown({
  text,
  streaming = false,
}: {
  text: string;
  streaming?: boolean;
}) {
  // One splitter per message: it remembers the previous text to rescan only the last block.
  const [split] = useState(createBlockSplitter);
  // A boundary is only decided on a complete line; once the reply is complete, so is its last
  // line (so "$$…$$\n\nIt costs $5" ends as two blocks, and the price is not math).
  const blocks = split(streaming ? text : `${text}\n`);
  const groups: ReactNode[] = [];
  for (let start = 0; start < blocks.length; start += GROUP) {
    const slice = blocks.slice(start, start + GROUP);
    const last = start + GROUP >= blocks.length;
    groups.push(
      // Keyed by index: a group (and a block in it) keeps its place while the reply grows.
      <BlockGroup key={start} blocks={slice} growing={streaming && last} first={start === 0} />,
    );
  }
  return groups;
});

/**
 * Up to GROUP consecutive blocks. A group whose blocks are all finished is skipped by React
 * (its props compare equal block by block) and, through `content-visibility: auto`, by the
 * browser's style and layout while it is off screen: so following a long reply to its end
 * costs the layout of what is visible, not of the whole answer. Containment stops margins from
 * collapsing across groups, so each group's last block drops its bottom margin and the next
 * group's first block keeps its top one (the larger of the two, as collapsing would give, for
 * the usual paragraph, list, heading and code spacing).
 */
const BlockGroup = memo(
  function BlockGroup({
    blocks,
    growing,
    first,
  }: {
    blocks: string[];
    /** Holds the last block of a streaming reply. */
    growing: boolean;
    first: boolean;
  }) {
    return (
      <div
        className={[
          first ? '[&>:first-child]:mt-0' : '',
          '[&>:last-child]:mb-0 [&>:last-child>:last-child]:mb-0',
          // The size is remembered while a group grows too, so that when it is finished and
          // skipped off screen, it keeps its exact height (nothing moves under the reader).
          '[contain-intrinsic-size:auto_30rem]',
          growing ? '' : '[content-visibility:auto]',
        ].join(' ')}
      >
        {blocks.map((block, i) => {
          const Block = loaded ?? LazyBlock;
          const isGrowing = growing && i === blocks.length - 1;
          // Only code blocks render differently while they grow; for the rest, a last block
          // that was already complete keeps its props when it stops growing (no re-parse).
          return (
            <Suspense key={i} fallback={<PlainBlock text={block} growing={growing} />}>
              <Block
                text={isGrowing ? repairMarkdown(block) : block}
                growing={isGrowing && FENCE.test(block)}
              />
            </Suspense>
          );
        })}
      </div>
    );
  },
  (a, b) =>
    a.growing === b.growing &&
    a.first === b.first &&
    a.blocks.length === b.blocks.length &&
    a.blocks.every((block, i) => block === b.blocks[i]),
);
