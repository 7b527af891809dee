import { describe, expect, it } from 'vitest';
import { ACCEPT, classify, formatSize, scaledSize } from '@/lib/client/attachments/kind';
import { imageCount } from '@/lib/client/attachments/content';
import { toMarkdown } from '@/lib/client/store/transfer';
import type { Conversation } from '@/lib/client/types';
import { say } from '@/lib/client/translate';
import { translator } from './i18n-helpers';

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
      expect(classify(f)).toEqual({
        refused: { key: 'attachments.refusedKind', values: { name: f.name } },
      });
    }
    const huge = classify({ name: 'huge.txt', type: 'text/plain', size: 10 * 1024 * 1024 });
    expect(huge).toEqual({
      refused: { key: 'attachments.refusedSize', values: { name: 'huge.txt', mb: '0.5' } },
    });
    // As the message box says it, in either language.
    const refused = 'refused' in huge ? huge.refused : undefined;
    expect(say(translator('en'), refused!)).toBe(
      '“huge.txt” is too large: at most 0.5 MB for this kind of file.',
    );
    expect(say(translator('zh-CN'), refused!)).toBe('“huge.txt”太大：这类文件最大 0.5 MB。');
  });

  it('scales the longest side down to 2048 px, keeping proportions', () => {
    expect(scaledSize(4032, 3024)).toEqual({ width: 2048, height: 1536 });
    expect(scaledSize(1000, 4000)).toEqual({ width: 512, height: 2048 });
    expect(scaledSize(800, 600)).toEqual({ width: 800, height: 600 });
  });
});

describe('attachments around a message', () => {
  const chat: Conversation = {
    id: 'c',
    title: 'Pictures',
    createdAt: 1,
    updatedAt: 1,
    systemPrompt: '',
    messages: [
      {
        id: 'u1',
        parentId: null,
        role: 'user',
        content: 'What is this?',
        status: 'done',
        createdAt: 1,
        attachments: [
          { id: 'a1', kind: 'image', name: 'cat (1).png', type: 'image/png', size: 2048 },
          { id: 'a2', kind: 'file', name: 'notes.txt', type: 'text/plain', size: 20 },
        ],
      },
      {
        id: 'm1',
        parentId: 'u1',
        role: 'assistant',
        content: 'A cat.',
        status: 'done',
        createdAt: 2,
      },
    ],
  };

  it('sizes read as people read them', () => {
    expect([formatSize(820), formatSize(12_300), formatSize(1_468_006)]).toEqual([
      '820 B',
      '12 KB',
      '1.4 MB',
    ]);
  });

  it('the picker offers images, PDFs and text-like files', () => {
    for (const t of ['image/png', 'application/pdf', 'text/*', '.md', '.csv', '.py']) {
      expect(ACCEPT.split(',')).toContain(t);
    }
  });

  it('counts the images of a branch', () => {
    expect(imageCount(chat.messages)).toBe(1);
  });

  it('the Markdown export names each attachment where it was sent', () => {
    const md = toMarkdown(chat);
    expect(md).toContain(
      '## You\n\nAttached: ![cat (1).png](cat%20%281%29.png), [notes.txt](notes.txt)\n\nWhat is this?',
    );
  });
});
