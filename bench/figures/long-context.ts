/**
 * Figure 1b, a long conversation: what fitting a conversation into the model's context window
 * adds to the time to first token. This app is started with a 32K-token window for the model; a
 * 160-message conversation (about 100K tokens) has to be cut, so every request counts tokens.
 * Timed: a one-message request and the long one, interleaved, on this app and on the upstream
 * itself (which receives the whole conversation, nothing cut); the first long request (cold:
 * the tokenizer loads, nothing counted yet) is reported apart.
 */
import { streamReply, type Target } from '../lib/client';
import { startVariant, type Context } from '../lib/context';
import { quantile, round } from '../lib/stats';
import { target } from '../lib/variants';

export interface LongContextRow {
  messages: number;
  bodyKiB: number;
  /** The app: first long request (tokenizer loaded, nothing cached). */
  coldMs: number;
  appShortP50Ms: number;
  appLongP50Ms: number;
  directShortP50Ms: number;
  directLongP50Ms: number;
  /** (app long − app short) − (direct long − direct short): what fitting adds. */
  addedByFittingP50Ms: number;
  replies: number;
}

const WINDOW = 32_768;

function conversation(n: number): { role: string; content: string }[] {
  const prose = 'The quick brown fox jumps over the lazy dog, and then it rests a while. ';
  return Array.from({ length: n }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `Message ${i}: ${prose.repeat(36)}`,
  })).concat([{ role: 'user', content: '[[tokens:8]] [[delay:0]] and now?' }]);
}

/** The variant's request for these messages (the same shape as `target`, with a history). */
function withMessages(base: Target, messages: unknown[]): Target {
  const body = JSON.parse(base.body) as Record<string, unknown>;
  return { ...base, body: JSON.stringify({ ...body, messages }) };
}

export async function longContextFigure(ctx: Context): Promise<LongContextRow> {
  const replies = Math.max(10, Math.round(ctx.sizes.ttft.replies / 4));
  const app = await startVariant(ctx, 'app', { MODEL_CONTEXT_TOKENS: `demo=${WINDOW}` });
  try {
    const long = conversation(120);
    const short = [{ role: 'user', content: '[[tokens:8]] [[delay:0]] and now?' }];
    const make = (id: 'app' | 'direct', port: number, messages: unknown[]) =>
      withMessages(target(id, port, ''), messages);
    const time = async (t: Target) => {
      const res = await streamReply(t, { timeoutMs: 30_000 });
      if (!res.ok || res.firstTokenAt === undefined) {
        throw new Error(`long-context: a reply failed (${res.error ?? 'no token'})`);
      }
      return res.firstTokenAt - res.startedAt;
    };
    const appLong = make('app', app.port, long);
    const appShort = make('app', app.port, short);
    const directLong = make('direct', ctx.simulator.port, long);
    const directShort = make('direct', ctx.simulator.port, short);
    const coldMs = await time(appLong);
    for (let i = 0; i < 5; i++) for (const t of [appShort, directShort, directLong]) await time(t);
    const s = {
      appShort: [] as number[],
      appLong: [] as number[],
      dShort: [] as number[],
      dLong: [] as number[],
    };
    for (let i = 0; i < replies; i++) {
      s.appShort.push(await time(appShort));
      s.appLong.push(await time(appLong));
      s.dShort.push(await time(directShort));
      s.dLong.push(await time(directLong));
    }
    const p50 = (xs: number[]) => quantile(xs, 0.5);
    return {
      messages: long.length,
      bodyKiB: round(Buffer.byteLength(appLong.body) / 1024, 0),
      coldMs: round(coldMs, 1),
      appShortP50Ms: round(p50(s.appShort), 2),
      appLongP50Ms: round(p50(s.appLong), 2),
      directShortP50Ms: round(p50(s.dShort), 2),
      directLongP50Ms: round(p50(s.dLong), 2),
      addedByFittingP50Ms: round(
        p50(s.appLong) - p50(s.appShort) - (p50(s.dLong) - p50(s.dShort)),
        2,
      ),
      replies,
    };
  } finally {
    await app.stop();
  }
}
