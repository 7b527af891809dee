/**
 * The browser's chat state: conversations (persisted in IndexedDB), the open one, and the replies
 * being followed. A tiny external store for `useSyncExternalStore`: every change replaces the
 * objects it touches, so React can compare by reference.
 *
 * Several tabs: each reply is followed by exactly one tab, the holder of a Web Lock named after
 * it; the others queue for that lock (so one of them takes over if the holder closes) and see the
 * text live through a BroadcastChannel. Reload: the page queues for the locks of replies still
 * marked streaming and resumes each after the last event id saved with its text.
 */
import { CONTINUE_PROMPT } from '@/lib/chat/protocol';
import type { ErrorBody, ModelsResponse, CreatedReply } from '@/lib/chat/protocol';
import {
  deleteConversation,
  loadConversation,
  loadConversations,
  saveConversation,
} from '@/lib/client/db';
import { followReply, type Following } from '@/lib/client/follow-reply';
import type { Conversation, StoredMessage } from '@/lib/client/types';
import { newId, titleFrom } from '@/lib/client/ids';
import { readPreference, writePreference } from '@/lib/client/preferences';
import { parseRetryAfter, withRetryAt } from '@/lib/client/error-view';
import { cleanMessage, joinContinuation } from '@/lib/client/message-text';

export interface ChatState {
  ready: boolean;
  conversations: Conversation[];
  activeId: string | null;
  models: ModelsResponse | null;
  /** Message ids whose stream is reconnecting right now. */
  reconnecting: ReadonlySet<string>;
  /** The system prompt of the chat about to start (no message sent yet). */
  draftSystemPrompt: string;
  /** What new chats start with (kept on this device). */
  defaultSystemPrompt: string;
}

type Listener = () => void;

/** What `remove` took away, for `restore`. */
export interface Removed {
  conversations: Conversation[];
  /** The open chat, when it was one of them. */
  activeId: string | null;
}
type Broadcast =
  | { type: 'message'; conversationId: string; message: StoredMessage }
  | { type: 'changed'; conversationId: string }
  | { type: 'deleted'; conversationId: string };

let state: ChatState = {
  ready: false,
  conversations: [],
  activeId: null,
  models: null,
  reconnecting: new Set(),
  draftSystemPrompt: '',
  defaultSystemPrompt: '',
};
const listeners = new Set<Listener>();
const following = new Map<string, Following>(); // by message id
const followedReplies = new Map<string, string>(); // message id → reply id, while followed
const queued = new Set<string>(); // reply ids this tab waits to follow
const saveTimers = new Map<string, ReturnType<typeof setTimeout>>();
const sentAt = new Map<string, number>(); // message id → when its request was sent
/** Messages whose Continue has not received its first text yet (see joinContinuation). */
const continuing = new Set<string>();
let channel: BroadcastChannel | null = null;
/** Replies waiting for the server to accept them, by message id: wakes one up. */
const waiting = new Map<string, () => void>();
/** Messages whose reply the person stopped before it had an id (in flight or waiting). */
const cancelledStarts = new Set<string>();

/** A reply of this browser ended: the replies waiting for a free place try again at once. */
function wakeWaiting() {
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

function set(patch: Partial<ChatState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const chatStore = {
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: () => state,
};

const SERVER_SNAPSHOT: ChatState = state;
export const getServerSnapshot = () => SERVER_SNAPSHOT;

export function activeConversation(s: ChatState = state): Conversation | undefined {
  return s.conversations.find((c) => c.id === s.activeId);
}

function sortByUpdated(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt);
}

function replaceConversation(next: Conversation) {
  const exists = state.conversations.some((c) => c.id === next.id);
  const list = exists
    ? state.conversations.map((c) => (c.id === next.id ? next : c))
    : [next, ...state.conversations];
  set({ conversations: sortByUpdated(list) });
}

function broadcast(message: Broadcast) {
  channel?.postMessage(message);
}

/** Saves now (and tells other tabs), or within `delayMs` coalescing the writes in between. */
function persist(id: string, delayMs = 0) {
  const pendingTimer = saveTimers.get(id);
  if (delayMs > 0 && pendingTimer) return;
  if (pendingTimer) clearTimeout(pendingTimer);
  const run = async () => {
    saveTimers.delete(id);
    const c = state.conversations.find((x) => x.id === id);
    if (!c) return;
    await saveConversation(c);
    broadcast({ type: 'changed', conversationId: id });
  };
  if (delayMs > 0)
    saveTimers.set(
      id,
      setTimeout(() => void run(), delayMs),
    );
  else void run();
}

function updateConversation(
  id: string,
  change: (c: Conversation) => Conversation,
  options: { save?: 'now' | 'soon' | 'no'; touch?: boolean } = {},
) {
  const current = state.conversations.find((c) => c.id === id);
  if (!current) return;
  const next = change(current);
  if (options.touch) next.updatedAt = Date.now();
  replaceConversation(next);
  if (options.save === 'now') persist(id);
  else if (options.save === 'soon') persist(id, 1000);
}

function updateMessage(
  conversationId: string,
  messageId: string,
  change: (m: StoredMessage) => Partial<StoredMessage>,
  save: 'now' | 'soon' | 'no' = 'soon',
) {
  let updated: StoredMessage | undefined;
  updateConversation(
    conversationId,
    (c) => ({
      ...c,
      messages: c.messages.map((m) =>
        m.id === messageId ? (updated = { ...m, ...change(m) }) : m,
      ),
    }),
    { save },
  );
  if (updated) broadcast({ type: 'message', conversationId, message: updated });
}

function setReconnecting(messageId: string, on: boolean) {
  if (state.reconnecting.has(messageId) === on) return;
  const next = new Set(state.reconnecting);
  if (on) next.add(messageId);
  else next.delete(messageId);
  set({ reconnecting: next });
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
    const local = state.conversations
      .find((c) => c.id === conversationId)
      ?.messages.find((m) => m.id === messageId);
    const message = saved && (saved.lastEventId ?? 0) >= (local?.lastEventId ?? 0) ? saved : local;
    if (!message || message.status !== 'streaming' || message.replyId !== replyId) return;
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
      const handle = followReply(replyId, message.lastEventId ?? 0, {
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
        onReconnecting: (on) => setReconnecting(messageId, on),
        onEnd(status, error) {
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
  void withLock(`streamchat-reply:${replyId}`, run).finally(() => queued.delete(replyId));
}

async function startReply(
  conversationId: string,
  messageId: string,
  history: { role: string; content: string }[],
) {
  // Held while the POST is in flight, so another tab (or this page after a reload) can tell a
  // reply that is about to start from one whose page went away before it started.
  await withLock(`streamchat-send:${messageId}`, () => post(conversationId, messageId, history));
}

async function post(
  conversationId: string,
  messageId: string,
  history: { role: string; content: string }[],
) {
  const conversation = state.conversations.find((c) => c.id === conversationId);
  const messages = [
    ...(conversation?.systemPrompt.trim()
      ? [{ role: 'system', content: conversation.systemPrompt }]
      : []),
    ...history,
  ];
  try {
    let res: Response;
    for (;;) {
      sentAt.set(messageId, performance.now());
      res = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages, model: conversation?.model ?? state.models?.default }),
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
      'now',
    );
    attach(conversationId, messageId, created.id);
  } catch (e) {
    sentAt.delete(messageId);
    updateMessage(
      conversationId,
      messageId,
      () => ({
        status: 'error',
        waiting: undefined,
        error: withRetryAt({
          code: (e as { code?: string }).code ?? 'request_failed',
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

/** Runs `fn` holding a Web Lock (all tabs of this site share them); without locks, just runs. */
function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request(name, fn) as Promise<T>;
  }
  return fn();
}

function historyOf(messages: StoredMessage[]) {
  return messages
    .filter((m) => m.role === 'user' || m.content)
    .map(({ role, content }) => ({ role, content }));
}

function assistantFor(conversation: Conversation): StoredMessage {
  return {
    id: newId(),
    role: 'assistant',
    content: '',
    status: 'streaming',
    createdAt: Date.now(),
    model: conversation.model ?? state.models?.default,
  };
}

function isStreaming(c: Conversation | undefined) {
  return c?.messages.at(-1)?.status === 'streaming';
}

export const chatActions = {
  async init() {
    if (state.ready) return;
    if (typeof BroadcastChannel !== 'undefined') {
      channel = new BroadcastChannel('streamchat');
      channel.onmessage = (e: MessageEvent<Broadcast>) => void onBroadcast(e.data);
    }
    const [conversations, models] = await Promise.all([
      loadConversations(),
      fetch('/api/models')
        .then((r) => (r.ok ? (r.json() as Promise<ModelsResponse>) : null))
        .catch(() => null),
    ]);
    // The model chosen for new chats, if the server still offers it.
    const savedModel = readPreference('model');
    if (models && savedModel && models.models.some((m) => m.id === savedModel)) {
      models.default = savedModel;
    }
    const defaultSystemPrompt = readPreference('default-system-prompt') ?? '';
    const fromHash = decodeURIComponent(location.hash.slice(1));
    // A message sent while this was loading made a conversation already: this page's copy is
    // the newer one; keep it, and keep it open.
    const mine = new Set(state.conversations.map((c) => c.id));
    const loaded = conversations.filter((c) => !mine.has(c.id));
    const activeId =
      state.activeId ??
      (loaded.some((c) => c.id === fromHash) ? fromHash : (loaded[0]?.id ?? null));
    set({
      ready: true,
      conversations: sortByUpdated([...state.conversations, ...loaded]),
      models,
      activeId,
      defaultSystemPrompt,
      // Unless the person already typed one while this loaded.
      draftSystemPrompt: state.draftSystemPrompt || defaultSystemPrompt,
    });
    for (const c of loaded) resumeStreaming(c);
    window.addEventListener('pagehide', () => {
      // Flush pending saves when the page goes away (reload, tab closed, tab frozen).
      for (const id of saveTimers.keys()) persist(id);
      // Tell the server this page stopped following: unless it comes back (a reload, another
      // tab), the reply ends after the grace period even where disconnects go unseen (Vercel).
      for (const replyId of followedReplies.values()) {
        navigator.sendBeacon(`/api/chat/${encodeURIComponent(replyId)}/leave`);
      }
    });
  },

  newChat() {
    set({ activeId: null, draftSystemPrompt: state.defaultSystemPrompt });
  },

  select(id: string) {
    set({ activeId: id });
  },

  rename(id: string, title: string) {
    const clean = title.trim().slice(0, 200);
    if (clean) updateConversation(id, (c) => ({ ...c, title: clean }), { save: 'now' });
  },

  /**
   * Deletes chats at once (a reply still streaming in one is stopped) and returns what `restore`
   * needs to undo it. IndexedDB forgets them now too: closing the page during the undo window
   * leaves them deleted, as the person asked; Undo saves them again.
   */
  async remove(ids: string | string[]): Promise<Removed> {
    const gone = new Set(typeof ids === 'string' ? [ids] : ids);
    const removed: Removed = {
      conversations: state.conversations.filter((c) => gone.has(c.id)),
      activeId: state.activeId !== null && gone.has(state.activeId) ? state.activeId : null,
    };
    for (const c of removed.conversations) {
      const last = c.messages.at(-1);
      if (last?.status === 'streaming' && last.replyId) void stopReply(last.replyId);
    }
    set({
      conversations: state.conversations.filter((x) => !gone.has(x.id)),
      activeId: removed.activeId ? null : state.activeId,
    });
    for (const c of removed.conversations) {
      await deleteConversation(c.id);
      broadcast({ type: 'deleted', conversationId: c.id });
    }
    return removed;
  },

  /** Undoes `remove`: the same chats, in the same place (their dates are kept), reopened. */
  async restore(removed: Removed) {
    const back = removed.conversations.map((c) => ({
      ...c,
      // Its reply was stopped on delete.
      messages: c.messages.map((m) =>
        m.status === 'streaming' ? { ...m, status: 'stopped' as const } : m,
      ),
    }));
    const ids = new Set(back.map((c) => c.id));
    set({
      conversations: sortByUpdated([...state.conversations.filter((c) => !ids.has(c.id)), ...back]),
      activeId: removed.activeId ?? state.activeId,
    });
    for (const c of back) {
      await saveConversation(c);
      broadcast({ type: 'changed', conversationId: c.id });
    }
  },

  /** The system prompt of a chat, or (id null) of the chat about to start. */
  setSystemPrompt(id: string | null, systemPrompt: string) {
    if (id === null) set({ draftSystemPrompt: systemPrompt });
    else updateConversation(id, (c) => ({ ...c, systemPrompt }), { save: 'soon' });
  },

  /** Makes a prompt the one new chats start with ('' for none). */
  setDefaultSystemPrompt(systemPrompt: string) {
    const value = systemPrompt.trim() ? systemPrompt : '';
    writePreference('default-system-prompt', value || null);
    set({ defaultSystemPrompt: value });
  },

  /** The open chat's model, and the model for new chats (kept on this device). */
  setModel(model: string) {
    const c = activeConversation();
    if (c) updateConversation(c.id, (x) => ({ ...x, model }), { save: 'now' });
    writePreference('model', model);
    set({ models: state.models ? { ...state.models, default: model } : state.models });
  },

  /** Sends a user message in the open conversation (creating it if there is none). */
  send(text: string) {
    let conversation = activeConversation();
    if (isStreaming(conversation)) return;
    if (!conversation) {
      const now = Date.now();
      conversation = {
        id: newId(),
        title: titleFrom(text),
        createdAt: now,
        updatedAt: now,
        model: state.models?.default,
        systemPrompt: state.draftSystemPrompt,
        messages: [],
      };
      replaceConversation(conversation);
      set({ activeId: conversation.id });
    }
    const user: StoredMessage = {
      id: newId(),
      role: 'user',
      content: text,
      status: 'done',
      createdAt: Date.now(),
    };
    const assistant = assistantFor(conversation);
    const messages = [...conversation.messages, user];
    updateConversation(conversation.id, (c) => ({ ...c, messages: [...messages, assistant] }), {
      save: 'now',
      touch: true,
    });
    void startReply(conversation.id, assistant.id, historyOf(messages));
  },

  stop() {
    const last = activeConversation()?.messages.at(-1);
    if (last?.status !== 'streaming') return;
    if (!last.replyId) {
      // Not started yet (its request is in flight, or it waits for a place): it never will.
      if (!sentAt.has(last.id)) return;
      cancelledStarts.add(last.id);
      waiting.get(last.id)?.();
      return;
    }
    const c = activeConversation();
    // Said before asking the server, so the `close` that follows finds it (also in other tabs).
    if (c) updateMessage(c.id, last.id, () => ({ stopReason: 'user' }), 'now');
    void stopReply(last.replyId).then((ok) => {
      // The `close` event normally ends it; if the server no longer knows it, end it here.
      if (!ok) {
        following.get(last.id)?.close();
        following.delete(last.id);
        const c = activeConversation();
        if (c) updateMessage(c.id, last.id, () => ({ status: 'stopped' }), 'now');
      }
    });
  },

  /** Replaces the last reply with a new one (also Retry after an error). */
  regenerate() {
    const c = activeConversation();
    const last = c?.messages.at(-1);
    if (!c || !last || last.role !== 'assistant' || last.status === 'streaming') return;
    const kept = c.messages.slice(0, -1);
    const assistant = assistantFor(c);
    updateConversation(c.id, (x) => ({ ...x, messages: [...kept, assistant] }), {
      save: 'now',
      touch: true,
    });
    void startReply(c.id, assistant.id, historyOf(kept));
  },

  /** Changes a user message, drops everything after it and asks again. */
  edit(messageId: string, typed: string) {
    const c = activeConversation();
    if (!c || isStreaming(c)) return;
    const index = c.messages.findIndex((m) => m.id === messageId);
    const original = c.messages[index];
    const text = cleanMessage(typed);
    if (!original || original.role !== 'user' || !text) return;
    const kept = [...c.messages.slice(0, index), { ...original, content: text }];
    const assistant = assistantFor(c);
    updateConversation(c.id, (x) => ({ ...x, messages: [...kept, assistant] }), {
      save: 'now',
      touch: true,
    });
    void startReply(c.id, assistant.id, historyOf(kept));
  },

  /**
   * Asks the model to go on after a stop or an error; the text joins the same message. The
   * Continue instruction goes only into this request: it is never stored, exported or sent again
   * (later requests carry the whole answer as one assistant message).
   */
  continue() {
    const c = activeConversation();
    const last = c?.messages.at(-1);
    if (
      !c ||
      !last ||
      last.role !== 'assistant' ||
      (last.status !== 'stopped' && last.status !== 'error')
    )
      return;
    const history = [...historyOf(c.messages), { role: 'user', content: CONTINUE_PROMPT }];
    updateMessage(
      c.id,
      last.id,
      () => ({
        status: 'streaming',
        error: undefined,
        stopReason: undefined,
        replyId: undefined,
        lastEventId: undefined,
        metrics: undefined,
      }),
      'now',
    );
    continuing.add(last.id);
    void startReply(c.id, last.id, history);
  },

  /** Imports an export file: new chats go on top and the first is opened; copies are skipped. */
  async importFile(file: File): Promise<{ imported: number; skipped: number }> {
    const [{ exportSchema }, { planImport }] = await Promise.all([
      import('@/lib/client/types'),
      import('@/lib/client/import-plan'),
    ]);
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch {
      throw new Error('This file is not valid JSON.');
    }
    const parsed = exportSchema.safeParse(json);
    if (!parsed.success) throw new Error('This file is not a StreamChat export.');
    const plan = planImport(state.conversations, parsed.data.conversations, {
      now: Date.now(),
      newId,
    });
    const ids = new Set(plan.added.map((c) => c.id));
    set({
      conversations: sortByUpdated([
        ...plan.added,
        ...state.conversations.filter((c) => !ids.has(c.id)),
      ]),
      activeId: plan.added[0]?.id ?? plan.firstExistingId ?? state.activeId,
    });
    for (const c of plan.added) {
      await saveConversation(c);
      broadcast({ type: 'changed', conversationId: c.id });
    }
    return { imported: plan.added.length, skipped: plan.skipped };
  },
};

async function stopReply(replyId: string): Promise<boolean> {
  const res = await fetch(`/api/chat/${encodeURIComponent(replyId)}`, { method: 'DELETE' }).catch(
    () => null,
  );
  return !!res?.ok;
}

function resumeStreaming(c: Conversation) {
  for (const m of c.messages) {
    if (m.status !== 'streaming' || following.has(m.id) || sentAt.has(m.id)) continue;
    if (m.replyId) attach(c.id, m.id, m.replyId);
    else void markIfAbandoned(c.id, m.id);
  }
}

/** A reply with no id whose POST no tab is making: its page went away before it started. */
async function markIfAbandoned(conversationId: string, messageId: string) {
  if (typeof navigator === 'undefined' || !('locks' in navigator)) return;
  await navigator.locks.request(
    `streamchat-send:${messageId}`,
    { ifAvailable: true },
    async (lock) => {
      if (!lock) return; // another tab is sending it right now
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
    },
  );
}

async function onBroadcast(event: Broadcast) {
  if (event.type === 'deleted') {
    set({
      conversations: state.conversations.filter((c) => c.id !== event.conversationId),
      activeId: state.activeId === event.conversationId ? null : state.activeId,
    });
    return;
  }
  if (event.type === 'message') {
    const c = state.conversations.find((x) => x.id === event.conversationId);
    if (!c) return;
    if (following.has(event.message.id)) {
      // Another tab pressed Stop on the reply this tab follows: its `close` is the person's stop.
      if (event.message.stopReason === 'user') {
        updateMessage(c.id, event.message.id, () => ({ stopReason: 'user' }), 'no');
      }
      return;
    }
    if (event.message.status !== 'streaming') wakeWaiting(); // a place may be free now
    const exists = c.messages.some((m) => m.id === event.message.id);
    replaceConversation({
      ...c,
      messages: exists
        ? c.messages.map((m) => (m.id === event.message.id ? event.message : m))
        : [...c.messages, event.message],
    });
    return;
  }
  const saved = await loadConversation(event.conversationId);
  if (!saved) return;
  // Keep a message where this tab's copy is ahead of the saved one (it streams it, or it has
  // seen later broadcasts): saves lag the live text by up to a second.
  const mine = state.conversations.find((c) => c.id === saved.id);
  const merged: Conversation = {
    ...saved,
    messages: saved.messages.map((m) => {
      const local = mine?.messages.find((x) => x.id === m.id);
      if (!local) return m;
      if (following.has(m.id)) return local;
      const ahead =
        local.replyId === m.replyId &&
        m.status === 'streaming' &&
        (local.lastEventId ?? 0) > (m.lastEventId ?? 0);
      return ahead ? local : m;
    }),
  };
  replaceConversation(merged);
  resumeStreaming(merged);
}

/** Markdown export of one conversation. */
export function toMarkdown(c: Conversation): string {
  const lines = [`# ${c.title}`, ''];
  if (c.systemPrompt.trim()) lines.push(`> System: ${c.systemPrompt.trim()}`, '');
  for (const m of c.messages) {
    lines.push(
      `## ${m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`}`,
      '',
      m.content,
      '',
    );
    if (m.status === 'stopped') lines.push('*(stopped)*', '');
    if (m.status === 'error') lines.push(`*(failed: ${m.error?.message ?? 'error'})*`, '');
  }
  return lines.join('\n');
}

export function toJson(conversations: Conversation[]): string {
  return JSON.stringify({ app: 'streamchat', version: 1, conversations }, null, 2);
}
