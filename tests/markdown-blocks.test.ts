import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import ReactMarkdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBlockSplitter, splitBlocks } from '@/lib/markdown/blocks';

/**
 * HTML as react-markdown renders it, whitespace aside (raw HTML shows as text, and the newline
 * between two such texts depends on whether they were rendered together).
 */
const html = (markdown: string) =>
  renderToStaticMarkup(
    createElement(ReactMarkdown, { remarkPlugins: [remarkGfm, remarkMath] }, markdown),
  ).replace(/\s+/g, '');

describe('splitBlocks', () => {
  it('splits at blank lines before an unindented line', () => {
    expect(splitBlocks('# Title\n\nOne\ntwo\n\n\nThree\n')).toEqual([
      '# Title\n\n',
      'One\ntwo\n\n\n',
      'Three\n',
    ]);
  });

  it('keeps a fenced code block with blank lines whole, also while it is open', () => {
    const fence = '```ts\nconst a = 1;\n\nconst b = 2;\n```\n\n';
    expect(splitBlocks(`Intro\n\n${fence}After\n`)).toEqual(['Intro\n\n', fence, 'After\n']);
    expect(splitBlocks('```py\nx = 1\n\n\ny = 2\n')).toEqual(['```py\nx = 1\n\n\ny = 2\n']);
    // Closed only by a fence of the same kind at least as long.
    const long = '````\n```\n\nstill code\n````\n\n';
    expect(splitBlocks(`${long}Done\n`)).toEqual([long, 'Done\n']);
    const tilde = '~~~\n```\n\nstill code\n~~~\n\n';
    expect(splitBlocks(`${tilde}Done\n`)).toEqual([tilde, 'Done\n']);
  });

  it('is not fooled by inline code that starts a line', () => {
    expect(splitBlocks('``` not a fence ` here\n\nNext\n')).toEqual([
      '``` not a fence ` here\n\n',
      'Next\n',
    ]);
  });

  it('keeps a loose list together, but not the paragraph after it', () => {
    expect(splitBlocks('- a\n\n- b\n\n  more of b\n\n1. c\n\nAfter\n')).toEqual([
      '- a\n\n- b\n\n  more of b\n\n1. c\n\n',
      'After\n',
    ]);
  });

  it('keeps display math and HTML blocks with blank lines whole', () => {
    expect(splitBlocks('$$\na\n\nb\n$$\n\nText\n')).toEqual(['$$\na\n\nb\n$$\n\n', 'Text\n']);
    expect(splitBlocks('<!--\n\nx\n-->\n\nText\n')).toEqual(['<!--\n\nx\n-->\n\n', 'Text\n']);
    expect(splitBlocks('<pre>\n\nx\n</pre>\n\nText\n')).toEqual([
      '<pre>\n\nx\n</pre>\n\n',
      'Text\n',
    ]);
  });

  it('decides a boundary only on a complete line', () => {
    // `-` could still become `- item` (the list goes on) or `---`.
    expect(splitBlocks('- a\n\n-')).toEqual(['- a\n\n-']);
    expect(splitBlocks('- a\n\nb')).toEqual(['- a\n\nb']);
    expect(splitBlocks('- a\n\nb\n')).toEqual(['- a\n\n', 'b\n']);
  });

  it('finishes a block that nothing can join as soon as the next unindented line starts', () => {
    expect(splitBlocks('a\n\nb')).toEqual(['a\n\n', 'b']);
    expect(splitBlocks('| t |\n| - |\n\n#')).toEqual(['| t |\n| - |\n\n', '#']);
    // Not when the line may still go on the block before: indented, or after a list.
    expect(splitBlocks('a\n\n  b')).toEqual(['a\n\n  b']);
    expect(splitBlocks('1. a\n\n2')).toEqual(['1. a\n\n2']);
    // A line that turns out to define a link makes it one block again.
    expect(splitBlocks('[x] a\n\n[x]: https://example.com\n')).toHaveLength(1);
  });

  it('does not split text that defines link references or footnotes', () => {
    const text = 'See [the docs][d] and this[^1].\n\nMore\n\n[d]: https://example.com\n';
    expect(splitBlocks(text)).toEqual([text]);
    expect(splitBlocks(`${text}\n[^1]: A note\n`)).toHaveLength(1);
  });

  it('returns slices that join back to the text', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ' ', '\n', '`', '~', '-', '$', '<', '>', '1', '.'),
        }),
        (text) => {
          expect(splitBlocks(text).join('')).toBe(text);
        },
      ),
    );
  });
});

/** Building blocks of a reply, chosen to meet every rule of the splitter. */
const piece = fc.constantFrom(
  'A paragraph with **bold**, `code` and [a link](https://example.com).',
  'Second line of\na paragraph.',
  '# Heading',
  'Setext heading\n---',
  '- one\n- two',
  '- loose one\n\n- loose two',
  '1. first\n\n   continued\n2. second',
  '- a\n  ```\n  nested fence\n\n  in a list\n  ```',
  '```ts\nconst a = 1;\n\n\nconst b = 2;\n```',
  '~~~\n```\n\nstill code\n~~~',
  '    indented code\n\n    more code',
  '| a | b |\n| --- | --- |\n| 1 | 2 |',
  '> quoted\n> text',
  '> quote\n\n> another',
  '<!--\n\ncomment\n-->',
  '<div>\nraw html\n</div>',
  '<section>\n```',
  '<custom-tag>\n~~~',
  'A paragraph, then\n<span>\n```\n\nin a fence\n```',
  '$$\nx^2\n\ny\n$$',
  'Inline $x^2$ math.',
  '- [ ] task\n- [x] done',
  '***',
  '```py\nunclosed = True\n\nprint(unclosed)',
);
const document = fc
  .array(fc.tuple(piece, fc.constantFrom('\n', '\n\n', '\n\n\n', '\n \n')), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.map(([p, sep]) => p + sep).join(''));

describe('blocks render as the whole text does', () => {
  it('for generated replies', () => {
    fc.assert(
      fc.property(document, (text) => {
        const blocks = splitBlocks(text);
        expect(blocks.map(html).join('')).toBe(html(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('createBlockSplitter', () => {
  it('gives the same blocks as splitBlocks while the text grows, keeping finished ones', () => {
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 40 }), (text, cuts) => {
        const split = createBlockSplitter();
        const ends = [...new Set([...cuts.map((c) => c % (text.length + 1)), text.length])].sort(
          (a, b) => a - b,
        );
        let previous: readonly string[] = [];
        for (const end of ends) {
          const blocks = split(text.slice(0, end));
          expect(blocks).toEqual(splitBlocks(text.slice(0, end)));
          // All but the last block of the previous result are the same objects.
          for (let i = 0; i < previous.length - 1 && i < blocks.length - 1; i++) {
            expect(blocks[i]).toBe(previous[i]);
          }
          previous = blocks;
        }
      }),
    );
  });

  it('starts over when the text is replaced rather than extended', () => {
    const split = createBlockSplitter();
    expect(split('One\n\nTwo\n')).toEqual(['One\n\n', 'Two\n']);
    expect(split('Other\n')).toEqual(['Other\n']);
    expect(split('')).toEqual([]);
  });
});
