/**
 * Replies: starting one (the POST, and its waiting queue when the server answers 429), following
 * it in this tab (Web Locks make that exactly one tab, from the last event id saved with its
 * text), its figures (time to first token, tokens per second), and stopping it.
 *
 * Reload: the page queues for the locks of replies still marked streaming and resumes each after
 * the last event id saved with its text (`resumeStreaming`).
 */
import type { CreatedReply, ErrorBody } from '@/lib/chat/protocol';
import type { HistoryMessage } from '@/lib/client/attachments/content';
import { loadConversation } from '@/lib/client/db';
import { parseRetryAfter, withRetryAt } from '@/lib/client/error-view';
import { joinContinuation } from '@/lib/client/message-text';
import { watchReplyStream, type Watching } from '@/lib/client/reply-stream';
import type { Conversation, StoredMessage } from '@/lib/client/types';
import { findConversation, getState, saveNow, setReconnecting, updateMessage } from './state';
import { ifLockFree, replyLock, sendLock, withLock } from './tabs';

const following = new Map<string, Watching>(); // by message id
const followedReplies = new Map<string, string>(); // message id → reply id, while followed
const queued = new Set<string>(); // reply ids this tab waits to follow
const sentAt = new Map<string, number>(); // message id → when its request was sent
/** Messages whose Continue has not received its first text yet (see joinContinuation). */
const continuing = new Set<string>();
/** Replies waiting for the server to accept them, by message id: wakes one up. */
const waiting = new Map<string, () => void>();
/** Messages whose reply the person stopped before it had an id (in flight or waiting). */
const cancelledStarts = new Set<string>();

/** This tab follows the reply of this message right now. */
export function isFollowing(messageId: string): boolean {
  return following.has(messageId);
}

/** The ids of the replies this tab follows right now. */
export function followedReplyIds(): IterableIterator<string> {
  return followedReplies.values();
}

/** The next text of this message continues it (Continue): joined with care, see joinContinuation. */
export function markContinuing(messageId: string) {
  continuing.add(messageId);
}

/** A reply of this browser ended: the replies waiting for a free place try again at once. */
export function wakeWaiting() {
  for (const wake of [...waiting.values()]) wake();
}

function waitForPlace(messageId: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      waiting.delete(messageId);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    waiting.set(messageId, wake);
  });
}

/** Follows a reply in this tab, once no other tab does (Web Locks), from its saved position. */
function attach(conversationId: string, messageId: string, replyId: string) {
  if (queued.has(replyId)) return;
  queued.add(replyId);
  const run = async () => {
    // What other tabs saved is authoritative: text and event id were written together.
    const saved = (await loadConversation(conversationId))?.messages.find(
      (m) => m.id === messageId,
    );
    const local = findConversation(conversationId)?.messages.find((m) => m.id === messageId);
    // Not stored (any more): its chat was deleted, maybe by another tab whose word has not
    // arrived yet. Following it would save it again.
    if (!saved || !local) return;
    const message = (saved.lastEventId ?? 0) >= (local.lastEventId ?? 0) ? saved : local;
    if (message.status !== 'streaming' || message.replyId !== replyId) return;
    if (message !== local) updateMessage(conversationId, messageId, () => message, 'no');
    await new Promise<void>((resolve) => {
      let firstAt: number | undefined;
      let lastAt: number | undefined;
      let deltas = 0;
      /** When this page saw the reasoning begin: "Thought for N s" runs until the answer does. */
      let reasoningFrom: number | undefined;
      const thought = (m: StoredMessage) =>
        m.thoughtMs ??
        (reasoningFrom !== undefined ? Math.round(performance.now() - reasoningFrom) : undefined);
      const handle = watchReplyStream(replyId, message.lastEventId ?? 0, {
        onFlush(f) {
          firstAt ??= f.firstAt;
          lastAt = f.lastAt ?? lastAt;
          deltas += f.deltas;
          if (f.reasoning) reasoningFrom ??= performance.now();
          updateMessage(conversationId, messageId, (m) => {
            let content = f.content;
            if (content && continuing.delete(messageId)) {
              content = joinContinuation(m.content, content);
            }
            return {
              content: m.content + content,
              reasoning: f.reasoning ? (m.reasoning ?? '') + f.reasoning : m.reasoning,
              thoughtMs: content && !m.content ? thought(m) : m.thoughtMs,
              lastEventId: f.lastEventId,
            };
          });
        },
        onUsage(usage) {
          updateMessage(conversationId, messageId, () => ({ usage }));
        },
        onMeta(meta) {
          // What the server says answers (a message sent before the model list loaded has none).
          updateMessage(conversationId, messageId, (m) => ({
            ...(m.model !== meta.model && { model: meta.model }),
            ...(meta.omittedMessages && { omittedMessages: meta.omittedMessages }),
          }));
        },
        onReconnecting: (on) => setReconnecting(messageId, on),
        onEnd(status, error, cutShort) {
          following.delete(messageId);
          followedReplies.delete(messageId);
          continuing.delete(messageId);
          setReconnecting(messageId, false);
          const sent = sentAt.get(messageId);
          sentAt.delete(messageId);
          updateMessage(
            conversationId,
            messageId,
            (m) => {
              const tokens = m.usage?.completionTokens ?? deltas;
              const seconds =
                firstAt !== undefined && lastAt !== undefined ? (lastAt - firstAt) / 1000 : 0;
              return {
                status,
                error: error && withRetryAt(error),
                // Nobody pressed Stop (here or in another tab): the server stopped a reply no
                // page followed for its grace period.
                stopReason: status === 'stopped' ? (m.stopReason ?? 'abandoned') : m.stopReason,
                cutShort,
                thoughtMs: m.reasoning ? thought(m) : m.thoughtMs,
                metrics:
                  sent !== undefined && firstAt !== undefined
                    ? {
                        ttftMs: Math.round(firstAt - sent),
                        tokensPerSecond:
                          seconds > 0.05 ? Math.round((tokens / seconds) * 10) / 10 : undefined,
                      }
                    : m.metrics,
              };
            },
            'now',
          );
          wakeWaiting();
          resolve();
        },
      });
      following.set(messageId, handle);
      followedReplies.set(messageId, replyId);
    });
  };
  void withLock(replyLock(replyId), run).finally(() => queued.delete(replyId));
}

export async function startReply(
  conversationId: string,
  messageId: string,
  history: HistoryMessage[] | Promise<HistoryMessage[]>,
) {
  // Held while the POST is in flight, so another tab (or this page after a reload) can tell a
  // reply that is about to start from one whose page went away before it started.
  await withLock(sendLock(messageId), () => post(conversationId, messageId, history));
}

async function post(
  conversationId: string,
  messageId: string,
  branch: HistoryMessage[] | Promise<HistoryMessage[]>,
) {
  // Stop pressed while the attachments are read finds it starting (see `cancelStart`).
  sentAt.set(messageId, performance.now());
  const history = await Promise.resolve(branch).catch(() => null);
  const conversation = findConversation(conversationId);
  // The reply's own model (Regenerate can ask another one), else the chat's.
  const model =
    conversation?.messages.find((m) => m.id === messageId)?.model ??
    conversation?.model ??
    getState().models?.default;
  const params =
    conversation?.params && Object.keys(conversation.params).length > 0
      ? conversation.params
      : undefined;
  const messages = [
    ...(conversation?.systemPrompt.trim()
      ? [{ role: 'system', content: conversation.systemPrompt }]
      : []),
    ...(history ?? []),
  ];
  try {
    if (!history) {
      throw Object.assign(new Error('The attachments of this message could not be read.'), {
        code: 'attachments_unreadable',
      });
    }
    let res: Response;
    for (;;) {
      sentAt.set(messageId, performance.now());
      res = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          messages,
          model,
          ...(params && { params }),
        }),
      });
      if (res.status !== 429 || cancelledStarts.has(messageId)) break;
      // Too many replies at once (or per minute): wait for a place, then ask again by itself.
      const body = (await res.json().catch(() => null)) as ErrorBody | null;
      const seconds = parseRetryAfter(res.headers.get('retry-after')) ?? 5;
      updateMessage(
        conversationId,
        messageId,
        () => ({
          waiting: { until: Date.now() + seconds * 1000, reason: body?.error.message ?? '' },
        }),
        'no',
      );
      await waitForPlace(messageId, seconds * 1000);
    }
    if (cancelledStarts.delete(messageId)) {
      // Stopped before it started: if the server started it meanwhile, stop it there too.
      if (res.ok) void stopReply(((await res.json()) as CreatedReply).id);
      sentAt.delete(messageId);
      updateMessage(
        conversationId,
        messageId,
        () => ({ status: 'stopped', stopReason: 'user', waiting: undefined }),
        'now',
      );
      return;
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as ErrorBody | null;
      throw Object.assign(new Error(body?.error.message ?? `The server answered ${res.status}.`), {
        code: body?.error.code ?? `http_${res.status}`,
        retryAfter: parseRetryAfter(res.headers.get('retry-after')),
      });
    }
    const created = (await res.json()) as CreatedReply;
    updateMessage(
      conversationId,
      messageId,
      () => ({ replyId: created.id, lastEventId: 0, waiting: undefined }),
      'no',
    );
    // Followed at once (the server gives a reply only a short grace before its first follower),
    // and stored before the send lock goes: another tab that finds the lock free then reads the
    // reply id, and does not take the reply for one whose page closed before it started.
    attach(conversationId, messageId, created.id);
    await saveNow(conversationId).catch(() => {});
  } catch (e) {
    sentAt.delete(messageId);
    updateMessage(
      conversationId,
      messageId,
      () => ({
        status: 'error',
        waiting: undefined,
        error: withRetryAt({
          code:
            (e as { code?: string }).code ??
            (e instanceof TypeError ? 'network' : 'request_failed'),
          message:
            e instanceof TypeError
              ? 'Could not reach the server. Check your connection.'
              : (e as Error).message,
          retryable: true,
          retryAfter: (e as { retryAfter?: number }).retryAfter,
        }),
      }),
      'now',
    );
  }
}

/**
 * Stop on a reply that has no id yet (its request is in flight, or it waits for a place): it
 * never starts. Does nothing when this tab is not starting it.
 */
export function cancelStart(messageId: string) {
  if (!sentAt.has(messageId)) return;
  cancelledStarts.add(messageId);
  waiting.get(messageId)?.();
}

/** Stops following a reply here without ending it (the server no longer knows it). */
export function closeFollowing(messageId: string) {
  following.get(messageId)?.close();
  following.delete(messageId);
}

/** Asks the server to stop a reply; false when it could not (or no longer knows it). */
export async function stopReply(replyId: string): Promise<boolean> {
  const res = await fetch(`/api/chat/${encodeURIComponent(replyId)}`, { method: 'DELETE' }).catch(
    () => null,
  );
  return !!res?.ok;
}

/** Follows (or queues to follow) every reply of the conversation still marked streaming. */
export function resumeStreaming(c: Conversation) {
  for (const m of c.messages) {
    if (m.status !== 'streaming' || following.has(m.id) || sentAt.has(m.id)) continue;
    if (m.replyId) attach(c.id, m.id, m.replyId);
    else void markIfAbandoned(c.id, m.id);
  }
}

/** A reply with no id whose POST no tab is making: its page went away before it started. */
async function markIfAbandoned(conversationId: string, messageId: string) {
  await ifLockFree(sendLock(messageId), async () => {
    const saved = (await loadConversation(conversationId))?.messages.find(
      (m) => m.id === messageId,
    );
    if (saved?.status !== 'streaming' || saved.replyId) return;
    updateMessage(
      conversationId,
      messageId,
      () => ({
        status: 'error',
        error: {
          code: 'interrupted',
          message: 'The page was closed before the reply started.',
          retryable: true,
        },
      }),
      'now',
    );
  });
}
