import 'server-only';
/**
 * Runs one reply: streams the upstream into the store's event log until it finishes, fails, or
 * is ended from outside (stop, abandoned, disconnected, too large), which aborts `upstream`.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Reply, ReplyStore } from '@/lib/streams/reply-store';
import type { FinishReason } from '@/lib/chat/protocol';
import type { GenerationParams } from '@/lib/chat/request';
import { streamChat } from '@/lib/llm/provider';
import { toErrorData, UpstreamFault } from '@/lib/llm/errors';
import { log } from '@/lib/log';
import { startUpstreamTimer } from '@/lib/metrics';

export async function runReply(
  store: ReplyStore,
  reply: Reply,
  messages: ChatCompletionMessageParam[],
  options: { maxDurationMs: number; params?: GenerationParams },
): Promise<void> {
  const signal = reply.upstream.signal;
  const deadline = setTimeout(() => {
    if (!reply.done) failWith(new UpstreamFault('reply_timeout'));
  }, options.maxDurationMs);
  deadline.unref?.();
  let finishReason: FinishReason = 'stop';

  function failWith(error: unknown) {
    const data = toErrorData(error);
    if (data.code === 'internal_error') log.error('reply failed', { id: reply.id, error });
    else log.warn('upstream error', { id: reply.id, code: data.code });
    store.append(reply, { event: 'error', data });
    store.append(reply, { event: 'close', data: { finishReason: 'error' } });
    reply.upstream.abort('error');
  }

  const upstreamDone = startUpstreamTimer();
  try {
    await streamChat({ model: reply.model, messages, params: options.params, signal }, (batch) =>
      reply.batch(() => {
        for (const delta of batch) {
          if (reply.done) return;
          switch (delta.type) {
            case 'text':
              store.append(reply, { event: 'message', data: { content: delta.content } });
              break;
            case 'reasoning':
              store.append(reply, { event: 'reasoning', data: { content: delta.content } });
              break;
            case 'usage':
              store.append(reply, { event: 'usage', data: delta.usage });
              break;
            case 'finish':
              finishReason = delta.reason;
              break;
          }
        }
      }),
    );
    upstreamDone(signal.aborted ? 'aborted' : 'ok');
    if (!reply.done) store.append(reply, { event: 'close', data: { finishReason } });
  } catch (error) {
    upstreamDone(signal.aborted ? 'aborted' : 'error');
    // Ended from outside: the store already wrote the closing events.
    if (!reply.done) failWith(error);
  } finally {
    clearTimeout(deadline);
  }
}
