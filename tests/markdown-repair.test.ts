import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { describe, expect, it } from 'vitest';
import { repairMarkdown } from '@/lib/markdown/repair';
import { hasMath } from '@/lib/markdown/math';
import { safeUrl } from '@/lib/markdown/urls';

const html = (markdown: string) =>
  renderToStaticMarkup(createElement(ReactMarkdown, { remarkPlugins: [remarkGfm] }, markdown));
/** The text a person sees. */
const visible = (markdown: string) =>
  html(markdown)
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&');

describe('repairMarkdown', () => {
  it.each([
    ['Some **bold', 'Some **bold**'],
    ['Some **bold ', 'Some **bold**'],
    ['Some *it', 'Some *it*'],
    ['***both', '***both***'],
    ['**bold and *it', '**bold and *it***'],
    ['**a*', '**a**'],
    ['~~gone', '~~gone~~'],
    ['_under', '_under_'],
    ['call `f(x', 'call `f(x`'],
    ['**bold `co', '**bold `co`**'],
    ['see [the docs](https://exa', 'see the docs'],
    ['see [the do', 'see the do'],
    ['a picture ![alt](https://x', 'a picture '],
    ['- item with **bold', '- item with **bold**'],
    ['> ## quoted *it', '> ## quoted *it*'],
    ['| a | **b', '| a | **b**'],
  ])('closes what is open: %j', (input, output) => {
    expect(repairMarkdown(input)).toBe(output);
  });

  it.each([
    ['Some **', 'Some '],
    ['Some `', 'Some '],
    ['Text\n-', 'Text\n'],
    ['Text\n===', 'Text\n'],
    ['Text\n``', 'Text\n'],
    ['```ts\nconst a = 1;\n``', '```ts\nconst a = 1;\n'],
  ])('holds back a marker with nothing after it yet: %j', (input, output) => {
    expect(repairMarkdown(input)).toBe(output);
  });

  it.each([
    'Complete **bold** and `code` and [link](https://example.com).',
    'snake_case_name and my_var',
    '2 * 3 = 6',
    'a_b',
    'price: 5 * 4',
    'Line one\n',
    '```ts\nconst a = `template ${x}\nconst b = **not bold',
    '    indented **code',
    '[x] and [y] too',
    'escaped \\[not a link',
  ])('leaves alone what needs no repair: %j', (input) => {
    // Indented code and open fences are code: nothing in them is markup.
    expect(repairMarkdown(input)).toBe(input);
  });

  it('never shows raw markers at any point of a streamed line', () => {
    const lines = [
      'Streaming **bold text** and *italic* with `inline code` and [a link](https://example.com/a_b_c) done.',
      '- a list item with ~~struck~~ and **`code in bold`** text',
      'Mixed ***strong emphasis*** then _underscored_ words.',
    ];
    for (const line of lines) {
      for (let end = 1; end <= line.length; end++) {
        const seen = visible(repairMarkdown(line.slice(0, end)));
        expect(seen, line.slice(0, end)).not.toMatch(/\*|`|~~|\]\(|\[|(?:^|\s)_/);
      }
    }
  });

  it('only closes markers or drops a tail: it never adds a URL', () => {
    expect(html(repairMarkdown('[click](javascript:alert(1)'))).not.toContain('href');
    expect(repairMarkdown('[x](http://a.b/c')).toBe('x');
  });
});

describe('hasMath', () => {
  it.each(['$x^2$', 'Euler: $e^{i\\pi} + 1 = 0$.', '$$\n\\int_0^1 x\\,dx\n$$', '$$a+b$$', '$x$'])(
    'finds math in %j',
    (text) => expect(hasMath(text)).toBe(true),
  );
  it.each(['It costs $5 and $10.', 'Pay $ 5 now $', 'No dollars', 'Escaped \\$x\\$', '$5$6'])(
    'finds none in %j',
    (text) => expect(hasMath(text)).toBe(false),
  );
});

describe('safeUrl', () => {
  it.each([
    ['https://example.com/a?b#c', 'https://example.com/a?b#c'],
    ['http://example.com', 'http://example.com/'],
    ['mailto:a@example.com', 'mailto:a@example.com'],
  ])('keeps %j', (url, out) => expect(safeUrl(url)).toBe(out));

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    '/api/chat',
    '#top',
    'example.com',
    '',
  ])('drops %j', (url) => expect(safeUrl(url)).toBeUndefined());

  it('allows only http(s) for images', () => {
    expect(safeUrl('mailto:a@example.com', 'image')).toBeUndefined();
    expect(safeUrl('data:image/png;base64,AAAA', 'image')).toBeUndefined();
    expect(safeUrl('https://example.com/a.png', 'image')).toBe('https://example.com/a.png');
  });
});
