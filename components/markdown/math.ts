/**
 * KaTeX for `$…$` and `$$…$$`, loaded the first time a block holds math: it is about twice the
 * size of the rest of the renderer, before its CSS and fonts. KaTeX runs with `trust: false`
 * (no `\href`, `\url` or HTML extensions from model output).
 */
import 'katex/dist/katex.min.css';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';
import type { Options } from 'react-markdown';
import { remarkDisplayMathAlone } from '@/lib/markdown/display-math';

type Plugins = NonNullable<Options['remarkPlugins']>;

export const remarkPlugins: Plugins = [remarkMath, remarkDisplayMathAlone];
export const rehypePlugins: Plugins = [
  [
    rehypeKatex,
    { throwOnError: false, strict: 'ignore', trust: false, maxSize: 50, maxExpand: 500 },
  ],
];
