import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeComment, encodeFrame, encodeJsonEvent } from '@/lib/sse/frame';
import { parseSse, recordingParser } from './helpers';

// --- arbitraries -------------------------------------------------------------------------------

/** Pieces that tend to break SSE framing or JSON escaping. */
const nasty = fc.constantFrom(
  '\r\n',
  '\r',
  '\n',
  '\n\n',
  '\r\r',
  'data: x',
  'id: 3',
  'event: close',
  'retry: 10',
  ':',
  ': ping',
  '[DONE]',
  ' ',
  '🚀',
  '👩‍👩‍👧',
  'é',
  '東京',
  '\0',
  '\ud800', // lone high surrogate
  '\udfff', // lone low surrogate
  '\u2028',
  '\ufeff',
  '"',
  '\\',
  '\t',
);

/** Any UTF-16 code unit, so lone surrogates too. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const anyString = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: codeUnit }),
  fc
    .array(fc.oneof(nasty, fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { maxLength: 20 })
    .map((a) => a.join('')),
);

/** Strings that survive UTF-8 (no lone surrogates), for raw `data` sent as bytes. */
const wellFormed = anyString.filter((s) => s.isWellFormed());

/** One line, no NUL: what `event` and `id` may hold. */
const singleLine = anyString.filter((s) => !/[\r\n\0]/.test(s));

// --- helpers -----------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** Splits bytes at the given points (any order, duplicates allowed). */
function splitBytes(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => (bytes.length ? p % (bytes.length + 1) : 0)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Feeds a text to the parser as a browser would: UTF-8 bytes in arbitrary network reads. */
function parseAsNetwork(text: string, points: number[]) {
  const { parser, out } = recordingParser();
  const decoder = new TextDecoder();
  for (const chunk of splitBytes(encoder.encode(text), points)) {
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  parser.feed(decoder.decode());
  return out;
}

// --- tests -------------------------------------------------------------------------------------

describe('encodeJsonEvent', () => {
  it('writes the documented frame layout', () => {
    expect(encodeJsonEvent('message', 2, { content: 'hi' })).toBe(
      'id: 2\ndata: {"content":"hi"}\n\n',
    );
    expect(encodeJsonEvent('close', 9, { finishReason: 'stop' })).toBe(
      'event: close\nid: 9\ndata: {"finishReason":"stop"}\n\n',
    );
  });

  it('round trips {content: s} byte for byte for any string', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 1, max: 1e9 }), (s, id) => {
        const out = parseSse(encodeJsonEvent('message', id, { content: s }));
        expect(out.events).toHaveLength(1);
        const [event] = out.events;
        expect(event!.event).toBeUndefined();
        expect(event!.id).toBe(String(id));
        expect((JSON.parse(event!.data) as { content: string }).content).toBe(s);
        expect(out.errors).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('round trips a whole stream split into arbitrary UTF-8 network reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('message', 'reasoning'), anyString), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat({ max: 10_000 }), { maxLength: 30 }),
        (deltas, points) => {
          let text = encodeFrame({ retry: 1000 });
          deltas.forEach(([event, content], i) => {
            text += encodeJsonEvent(event, i + 1, { content });
            if (i % 3 === 1) text += encodeComment('ping');
          });
          const out = parseAsNetwork(text, points);
          expect(out.retries).toEqual([1000]);
          expect(out.errors).toEqual([]);
          expect(out.events.map((e) => e.id)).toEqual(deltas.map((_, i) => String(i + 1)));
          expect(out.events.map((e) => e.event ?? 'message')).toEqual(
            deltas.map(([event]) => event),
          );
          expect(
            out.events.map((e) => (JSON.parse(e.data) as { content: string }).content),
          ).toEqual(deltas.map(([, content]) => content));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escapes lone surrogates so the UTF-8 bytes carry them intact', () => {
    const s = 'a\ud800b\udfffc';
    const frame = encodeJsonEvent('message', 1, { content: s });
    expect(frame.isWellFormed()).toBe(true);
    const out = parseAsNetwork(frame, [3, 7, 11]);
    expect((JSON.parse(out.events[0]!.data) as { content: string }).content).toBe(s);
  });
});

describe('encodeFrame', () => {
  it('returns raw data with every line break normalised to \\n', () => {
    fc.assert(
      fc.property(
        anyString.filter((s) => s !== ''),
        (s) => {
          const out = parseSse(encodeFrame({ data: s }));
          expect(out.events).toHaveLength(1);
          expect(out.events[0]!.data).toBe(s.replace(/\r\n|\r/g, '\n'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('returns raw data intact through arbitrary UTF-8 network reads', () => {
    fc.assert(
      fc.property(
        wellFormed.filter((s) => s !== ''),
        fc.array(fc.nat({ max: 2_000 }), { maxLength: 12 }),
        (s, points) => {
          const out = parseAsNetwork(
            encodeFrame({ id: 1, data: s }) + encodeFrame({ id: 2, data: s }),
            points,
          );
          expect(out.events.map((e) => e.data)).toEqual(
            [s, s].map((v) => v.replace(/\r\n|\r/g, '\n')),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes CRLF, CR and LF in data as separate data lines', () => {
    expect(encodeFrame({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(parseSse(encodeFrame({ data: 'line\r\n' })).events[0]!.data).toBe('line\n');
  });

  it('parses id, event and retry fields as written', () => {
    const { events, retries } = parseSse(
      encodeFrame({ event: 'close', id: 3, retry: 2500, data: '{}' }),
    );
    expect(retries).toEqual([2500]);
    expect(events).toEqual([{ event: 'close', id: '3', data: '{}' }]);
  });

  it('round trips any one-line event name and id', () => {
    fc.assert(
      fc.property(
        singleLine.filter((s) => s !== '' && s !== 'message'),
        singleLine,
        (event, id) => {
          const { events } = parseSse(encodeFrame({ event, id, data: 'x' }));
          expect(events).toEqual([{ event, id, data: 'x' }]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('omits the event line for the default message event', () => {
    expect(encodeFrame({ event: 'message', id: 1, data: 'x' })).toBe('id: 1\ndata: x\n\n');
    expect(parseSse(encodeFrame({ event: 'message', data: 'x' })).events[0]!.event).toBeUndefined();
  });

  it('round trips any non-negative safe-integer retry', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (retry) => {
        const { retries, errors, events } = parseSse(encodeFrame({ retry }));
        expect(errors).toEqual([]);
        expect(retries).toEqual([retry]);
        expect(events).toEqual([]);
      }),
    );
  });

  it('refuses a retry that parsers would not read as digits', () => {
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) {
      expect(() => encodeFrame({ retry })).toThrow(TypeError);
    }
  });

  it('throws for an id or event with a line break or NUL', () => {
    for (const bad of ['a\nb', 'a\rb', 'a\r\nb', '\n', 'a\0b']) {
      expect(() => encodeFrame({ id: bad, data: 'x' })).toThrow(TypeError);
      expect(() => encodeFrame({ event: bad, data: 'x' })).toThrow(TypeError);
    }
  });
});

describe('encodeComment', () => {
  it('is ignored by parsers and does not disturb the next event', () => {
    const text =
      encodeComment('ping') + encodeComment() + encodeJsonEvent('message', 1, { content: 'x' });
    const { events, comments } = parseSse(text);
    expect(comments).toEqual(['ping', '']);
    expect(events).toEqual([{ event: undefined, id: '1', data: '{"content":"x"}' }]);
  });

  it('inside a half-written event, does not dispatch or alter it', () => {
    const frame = encodeFrame({ event: 'reasoning', id: 4, data: 'a\nb' });
    const cut = frame.indexOf('data:');
    const { events } = parseSse(
      frame.slice(0, cut) + encodeComment('ping').slice(0, -1) + frame.slice(cut),
    );
    expect(events).toEqual([{ event: 'reasoning', id: '4', data: 'a\nb' }]);
  });

  it('throws for a comment with a line break', () => {
    expect(() => encodeComment('a\nb')).toThrow(TypeError);
    expect(() => encodeComment('a\rb')).toThrow(TypeError);
  });
});
