import { describe, expect, it } from 'vitest';
import { classify, scaledSize } from '@/lib/client/attachment-kind';

describe('what a file becomes', () => {
  it('images, text-like files and PDFs are taken', () => {
    expect(classify({ name: 'a.png', type: 'image/png', size: 10 })).toEqual({ kind: 'image' });
    expect(classify({ name: 'notes.md', type: '', size: 10 })).toEqual({ kind: 'text' });
    expect(classify({ name: 'data.csv', type: 'text/csv', size: 10 })).toEqual({ kind: 'text' });
    expect(classify({ name: 'main.rs', type: '', size: 10 })).toEqual({ kind: 'text' });
    expect(classify({ name: 'doc.pdf', type: 'application/pdf', size: 10 })).toEqual({
      kind: 'pdf',
    });
  });

  it('other kinds, SVG and oversized files are refused with a reason', () => {
    for (const f of [
      { name: 'movie.mp4', type: 'video/mp4', size: 10 },
      { name: 'logo.svg', type: 'image/svg+xml', size: 10 },
      { name: 'archive.zip', type: 'application/zip', size: 10 },
    ]) {
      expect(classify(f)).toEqual({ refused: expect.stringContaining('cannot be attached') });
    }
    expect(classify({ name: 'huge.txt', type: 'text/plain', size: 10 * 1024 * 1024 })).toEqual({
      refused: expect.stringContaining('too large'),
    });
  });

  it('scales the longest side down to 2048 px, keeping proportions', () => {
    expect(scaledSize(4032, 3024)).toEqual({ width: 2048, height: 1536 });
    expect(scaledSize(1000, 4000)).toEqual({ width: 512, height: 2048 });
    expect(scaledSize(800, 600)).toEqual({ width: 800, height: 600 });
  });
});
