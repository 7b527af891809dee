import 'server-only';
/**
 * Drives a wire-format reader (lib/llm/reader.ts) over an upstream response body, the Node
 * stream under it (see node-fetch.ts): one synchronous pass per network read, the deltas of a
 * read handed over together, an idle timeout, the caller's abort, and the connection closed (or
 * given back to the pool) when the stream ends.
 */
import type { Readable } from 'node:stream';
import { BodyLimitError } from '@/lib/llm/node-fetch';
import { UpstreamFault } from '@/lib/llm/errors';
import type { Delta, ReaderOptions, UpstreamReader } from '@/lib/llm/reader';

export interface BodyOptions {
  signal: AbortSignal;
  /** Longest time without a complete event. */
  idleMs: number;
  /** Every delta that arrived in one network read, in order. */
  onDeltas: (batch: Delta[]) => void;
}

/**
 * Reads `body` with the reader `createReader` makes; resolves when the answer is complete (or
 * `signal` stopped it, quietly: the caller knows why), rejects with why it is not.
 */
export function readUpstreamBody(
  body: Readable,
  createReader: (options: ReaderOptions) => UpstreamReader,
  { signal, idleMs, onDeltas }: BodyOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false; // resolved or rejected, listeners gone
    let batch: Delta[] = []; // deltas of the current read, not yet handed over
    let pending: Buffer[] = []; // bytes of the current read, not yet parsed
    let scheduled = false; // a flush is queued for this read
    let failure: unknown; // a failure of our own (onDeltas threw)
    const reader = createReader({ onDelta: (delta) => batch.push(delta) });
    // The SDK's timeout covers only the wait for headers; a body that goes silent is ours to
    // catch. Silent means no complete event: bytes that never make one (a line that never ends,
    // one byte a second) do not count as life.
    const idle = setTimeout(() => {
      flush();
      finish(new UpstreamFault('upstream_timeout'));
    }, idleMs);

    const broken = () => reader.failure ?? failure;

    function settle() {
      settled = true;
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (body.readableEnded) return;
      if (reader.done && broken() === undefined && !signal.aborted) {
        // Complete; the body's last bytes are on their way: read them (and drop them) so that the
        // connection goes back to the pool, unless the server keeps it open.
        const linger = setTimeout(() => body.destroy(), 1_000);
        linger.unref();
        body.once('end', () => clearTimeout(linger));
        body.resume();
      } else {
        // Stopped early (a stop, an error): close the upstream connection now.
        body.destroy();
      }
    }

    /** Ends the completion: resolves when it is complete (or stopped), rejects otherwise. */
    function finish(error?: unknown) {
      if (settled) return;
      settle();
      if (signal.aborted) resolve();
      else if (error !== undefined) reject(error);
      // A body that ends without a finish (with or without `[DONE]`) was cut.
      else if (reader.finished) resolve();
      else reject(new UpstreamFault('upstream_interrupted'));
    }

    // node:http emits one `data` event per HTTP chunk (a token, for most servers), all those of
    // one network read before the read's microtasks run: they are decoded, parsed and handed
    // over together, once per read. The text before a failure is handed over before it.
    function flush() {
      scheduled = false;
      if (settled) return;
      if (pending.length > 0 && broken() === undefined) {
        const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
        pending = [];
        if (reader.feed(bytes)) idle.refresh();
      }
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        try {
          onDeltas(out);
        } catch (error) {
          failure ??= error;
        }
      }
      const error = broken();
      if (error !== undefined) finish(error);
      else if (reader.done) finish();
    }

    const onData = (bytes: Buffer) => {
      pending.push(bytes);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    };
    // 'end' and 'error' come on process.nextTick, before the microtask: read what is left first.
    const onEnd = () => {
      flush();
      finish();
    };
    // undici says `terminated`, node:http `aborted`/ECONNRESET: either way the body was cut,
    // unless it inflated past its limit.
    const onError = (error: unknown) => {
      flush();
      finish(
        new UpstreamFault(
          error instanceof BodyLimitError ? 'bad_upstream_response' : 'upstream_interrupted',
        ),
      );
    };
    const onClose = () => {
      if (body.readableEnded) return;
      flush();
      finish(new UpstreamFault('upstream_interrupted'));
    };
    const onAbort = () => finish(signal.reason);

    signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}
