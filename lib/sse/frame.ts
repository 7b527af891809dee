/**
 * Server-Sent Events framing, as the WHATWG HTML spec parses it:
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 *
 * A parser splits the stream on CRLF, LF or CR, so any line break inside a value would end the
 * field early. `data` is therefore written as one `data:` line per line of the value; the parser
 * joins them back with LF. A value written this way comes back byte for byte as long as its line
 * breaks are LF (CR and CRLF come back as LF), which is why event payloads are JSON: JSON escapes
 * every CR and LF, so the payload is one line and the text inside it survives exactly.
 */

const LINE_BREAK = /\r\n|\r|\n/;

export interface SseFrame {
  /** `event:` field; omitted for the default `message` event. */
  event?: string;
  /** `id:` field; sets the parser's last event ID. */
  id?: number | string;
  /** `retry:` field, in milliseconds. */
  retry?: number;
  /** The event's data; may contain line breaks. */
  data?: string;
}

function assertSingleLine(name: string, value: string): void {
  // The spec ignores an id containing NULL; a line break would end the field early.
  if (LINE_BREAK.test(value) || value.includes('\0')) {
    throw new TypeError(`SSE ${name} must be one line without NUL`);
  }
}

/** One event block, ending with the blank line that dispatches it. */
export function encodeFrame(frame: SseFrame): string {
  let out = '';
  if (frame.event !== undefined && frame.event !== 'message') {
    assertSingleLine('event', frame.event);
    out += `event: ${frame.event}\n`;
  }
  if (frame.id !== undefined) {
    const id = String(frame.id);
    assertSingleLine('id', id);
    out += `id: ${id}\n`;
  }
  if (frame.retry !== undefined) {
    // Safe integers only: larger ones print as `1e+21`, which parsers ignore as not all digits.
    if (!Number.isSafeInteger(frame.retry) || frame.retry < 0) {
      throw new TypeError('SSE retry must be a non-negative integer');
    }
    out += `retry: ${frame.retry}\n`;
  }
  if (frame.data !== undefined) {
    // Fast path: JSON payloads never contain a line break, so skip the split.
    if (!frame.data.includes('\n') && !frame.data.includes('\r')) {
      out += `data: ${frame.data}\n`;
    } else {
      for (const line of frame.data.split(LINE_BREAK)) out += `data: ${line}\n`;
    }
  }
  return out + '\n';
}

/** A comment line: ignored by parsers, but it keeps proxies and idle timers from closing. */
export function encodeComment(text = ''): string {
  assertSingleLine('comment', text);
  return text ? `: ${text}\n\n` : ':\n\n';
}

/** An event whose data is a JSON value: the framing every event of this API uses. */
export function encodeJsonEvent(event: string, id: number, payload: unknown): string {
  return encodeFrame({ event, id, data: JSON.stringify(payload) });
}

/**
 * Reads back a frame written by `encodeJsonEvent` (one `event:`, `id:` and `data:` line each):
 * the event name and its data, or undefined for anything else. For the few places that must
 * look inside a stored reply (an instance continuing another's reply), never on a hot path.
 */
export function decodeJsonEvent(frame: string): { event: string; data: unknown } | undefined {
  let event = 'message';
  let data: string | undefined;
  for (const line of frame.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data = line.slice(6);
  }
  if (data === undefined) return undefined;
  try {
    return { event, data: JSON.parse(data) };
  } catch {
    return undefined;
  }
}
