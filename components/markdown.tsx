'use client';
/**
 * An assistant reply (possibly still streaming) as markdown, smoothly: the text is split into
 * top-level blocks, each rendered by its own memoised component, so a new token re-parses and
 * re-renders only the last block and the cost of an update does not grow with the length of
 * the reply. Pass `streaming` while the reply grows: the last block is then repaired so that
 * half-written syntax (`**bold`, an unfinished link) does not flash, and code blocks are
 * highlighted once complete. The highlighter and KaTeX load only for replies that need them.
 */
import { memo, useState } from 'react';
import { createBlockSplitter } from '@/lib/markdown/blocks';
import { repairMarkdown } from '@/lib/markdown/repair';
import { MarkdownBlock } from '@/components/markdown/block';

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
  return blocks.map((block, i) => {
    const growing = streaming && i === blocks.length - 1;
    // Keyed by index: a block keeps its place while the reply grows after it.
    return (
      <MarkdownBlock key={i} text={growing ? repairMarkdown(block) : block} growing={growing} />
    );
  });
});
