/**
 * The browser's chat state: conversations (persisted in IndexedDB), the open one, and which
 * replies are reconnecting. A tiny external store for `useSyncExternalStore`: every change
 * replaces the objects it touches, so React can compare by reference. The selectors here are
 * the ones components, hooks and the rest of the store use.
 */
import type { ModelsResponse } from '@/lib/chat/protocol';
import type { Conversation, GenerationParams, StoredMessage } from '@/lib/client/types';
import { pathOf } from '@/lib/client/tree';
import { createSaves } from './persist';
import { broadcast } from './tabs';

export interface ChatState {
  ready: boolean;
  conversations: Conversation[];
  activeId: string | null;
  models: ModelsResponse | null;
  /** Message ids whose stream is reconnecting right now. */
  reconnecting: ReadonlySet<string>;
  /** The system prompt of the chat about to start (no message sent yet). */
  draftSystemPrompt: string;
  /** The generation settings of the chat about to start. */
  draftParams: GenerationParams;
  /** What new chats start with (kept on this device). */
  defaultSystemPrompt: string;
}

type Listener = () => void;

let state: ChatState = {
  ready: false,
  conversations: [],
  activeId: null,
  models: null,
  reconnecting: new Set(),
  draftSystemPrompt: '',
  draftParams: {},
  defaultSystemPrompt: '',
};
const listeners = new Set<Listener>();

/** The state now (read it again after any change: every change replaces it). */
export const getState = () => state;

export function set(patch: Partial<ChatState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const chatStore = {
  subscribe(listener: Listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: getState,
};

const SERVER_SNAPSHOT: ChatState = state;
export const getServerSnapshot = () => SERVER_SNAPSHOT;

export function activeConversation(s: ChatState = state): Conversation | undefined {
  return s.conversations.find((c) => c.id === s.activeId);
}

const paths = new WeakMap<Conversation, StoredMessage[]>();

/** The messages shown: the path through the conversation's tree (computed once per version). */
export function shownPath(c: Conversation): StoredMessage[] {
  let path = paths.get(c);
  if (!path) {
    path = pathOf(c);
    paths.set(c, path);
  }
  return path;
}

/** The last message shown (what Stop, Continue, Retry and Regenerate act on). */
export function lastShown(c: Conversation | undefined): StoredMessage | undefined {
  return c ? shownPath(c).at(-1) : undefined;
}

/** The answers of a compare still waiting for a pick, side by side (empty when none). */
/** Whether a model may be sent images: only models the server says cannot see are not. */
export function seesImages(
  models: readonly { id: string; vision?: boolean }[] | undefined,
  model: string | undefined,
): boolean {
  return models?.find((m) => m.id === model)?.vision !== false;
}

/**
 * Whether Continue applies to a reply: one that stopped, failed, or was cut at a length limit
 * (not one a content filter ended: asking again would meet the same filter).
 */
export function canContinue(m: StoredMessage): boolean {
  return (
    m.role === 'assistant' &&
    (m.status === 'stopped' ||
      m.status === 'error' ||
      (m.status === 'done' && m.cutShort === 'length'))
  );
}

export function comparedAnswers(c: Conversation | undefined): StoredMessage[] {
  if (!c?.comparing) return [];
  return c.messages.filter((m) => m.compareId === c.comparing);
}

/** The reply shown last (or an answer being compared) is streaming: nothing new meanwhile. */
export function isStreaming(c: Conversation | undefined): boolean {
  return (
    lastShown(c)?.status === 'streaming' || comparedAnswers(c).some((m) => m.status === 'streaming')
  );
}

/** A reply streams somewhere in this conversation (on any version). */
export function hasStreaming(c: Conversation): boolean {
  return c.messages.some((m) => m.status === 'streaming');
}

/** Titles of the chats with a reply streaming right now in this browser (started by the server). */
export function streamingTitles(s: ChatState = state): string[] {
  return s.conversations
    .filter((c) => c.messages.some((m) => m.status === 'streaming' && m.replyId))
    .map((c) => c.title);
}

export function findConversation(id: string, s: ChatState = state): Conversation | undefined {
  return s.conversations.find((c) => c.id === id);
}

export function sortByUpdated(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt);
}

export function replaceConversation(next: Conversation) {
  const exists = state.conversations.some((c) => c.id === next.id);
  const list = exists
    ? state.conversations.map((c) => (c.id === next.id ? next : c))
    : [next, ...state.conversations];
  set({ conversations: sortByUpdated(list) });
}

const saves = createSaves(
  (id) => findConversation(id),
  (id) => broadcast({ type: 'changed', conversationId: id }),
);

/** Writes every save still waiting for its delay (the page is going away). */
export const flushSaves = saves.flush;

/** Saves a conversation now; the promise ends when IndexedDB has it. */
export const saveNow = (id: string) => saves.save(id);

export function updateConversation(
  id: string,
  change: (c: Conversation) => Conversation,
  options: { save?: 'now' | 'soon' | 'no'; touch?: boolean } = {},
) {
  const current = findConversation(id);
  if (!current) return;
  const next = change(current);
  if (options.touch) next.updatedAt = Date.now();
  replaceConversation(next);
  if (options.save === 'now') void saves.save(id);
  else if (options.save === 'soon') void saves.save(id, 1000);
}

/** Changes one message (saved soon by default) and shows the change to the other tabs at once. */
export function updateMessage(
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

export function setReconnecting(messageId: string, on: boolean) {
  if (state.reconnecting.has(messageId) === on) return;
  const next = new Set(state.reconnecting);
  if (on) next.add(messageId);
  else next.delete(messageId);
  set({ reconnecting: next });
}
