'use client';
import { memo } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Model output as GitHub-flavoured markdown. Raw HTML is not rendered (react-markdown escapes
 * it) and unsafe URLs (`javascript:` and the like) are dropped by its default URL transform;
 * links open in a new tab without access to this one.
 */
const components: Components = {
  a: ({ node: _node, ...props }) => (
    <a {...props} target="_blank" rel="noopener noreferrer nofollow" />
  ),
};

export const Markdown = memo(function Markdown({ text }: { text: string; streaming?: boolean }) {
  return (
    <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
      {text}
    </ReactMarkdown>
  );
});
