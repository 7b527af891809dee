import { describe, expect, it } from 'vitest';
import { attachmentSummary, describeImage, fileNames, fileText } from '@/lib/chat/attachments';

describe('attachments in content parts', () => {
  it('frames a file with its name, and finds the names again', () => {
    const text = `${fileText('notes.txt', 'a\nb')}\n\n${fileText('data.csv', 'x,y')}`;
    expect(fileNames(text)).toEqual(['notes.txt', 'data.csv']);
    expect(fileNames('no files here')).toEqual([]);
  });

  it('describes an image without fetching it', () => {
    const url = `data:image/png;base64,${Buffer.alloc(1000).toString('base64')}`;
    expect(describeImage(url)).toEqual({ mediaType: 'image/png', bytes: 1000 });
    expect(describeImage('https://example.com/a.png')).toEqual({ mediaType: 'url', bytes: 0 });
  });

  it('says what was received', () => {
    expect(attachmentSummary([{ mediaType: 'image/jpeg', bytes: 2048 }], ['a.md'])).toBe(
      '1 image (image/jpeg, 2.0 KB) and 1 file (a.md)',
    );
    expect(attachmentSummary([], [])).toBe('');
  });

  it('says the pixel size where the receiver read it', () => {
    expect(
      attachmentSummary(
        [
          { mediaType: 'image/jpeg', bytes: 215_347, width: 1600, height: 1200 },
          { mediaType: 'image/png', bytes: 100 },
        ],
        [],
      ),
    ).toBe('2 images (image/jpeg, 1600×1200, 210.3 KB; image/png, 100 B)');
  });
});
