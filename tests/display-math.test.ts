import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import { describe, expect, it } from 'vitest';
import { rehypePlugins, remarkPlugins } from '@/components/markdown/math';

const render = (markdown: string) =>
  renderToStaticMarkup(createElement(ReactMarkdown, { remarkPlugins, rehypePlugins }, markdown));
const displays = (html: string) => html.split('class="katex-display"').length - 1;

describe('display math', () => {
  it('shows $$…$$ on a line of its own as display math', () => {
    expect(displays(render('$$E = mc^2$$'))).toBe(1);
    expect(displays(render('  $$\\int_0^1 x\\,dx$$  '))).toBe(1);
    expect(displays(render('- $$x^2$$'))).toBe(1);
  });

  it('keeps $$…$$ inside a sentence, and $…$, inline', () => {
    const sentence = render('The area is $$\\pi r^2$$ for a circle.');
    expect(sentence).toContain('class="katex"');
    expect(displays(sentence)).toBe(0);
    expect(displays(render('$x^2$'))).toBe(0);
    expect(displays(render('$$a$$ and $$b$$'))).toBe(0);
  });

  it('still shows dollars on lines of their own as display math', () => {
    expect(displays(render('$$\nx^2\n$$'))).toBe(1);
  });
});
