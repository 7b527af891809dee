/**
 * What people do: every action of the chat UI, and `init` (load, resume the replies still
 * streaming, listen to the other tabs). Built on the other store modules; none of them imports
 * this one.
 */
import { CONTINUE_PROMPT } from '@/lib/chat/protocol';
import type { ModelsResponse } from '@/lib/chat/protocol';
import { deleteConversation, loadConversations, saveConversation } from '@/lib/client/db';
import { newId, titleFrom } from '@/lib/client/ids';
import { cleanMessage } from '@/lib/client/message-text';
import { readPreference, writePreference } from '@/lib/client/preferences';
import type { Attachment, Conversation, GenerationParams, StoredMessage } from '@/lib/client/types';
import { historyOf } from '@/lib/client/attachments/content';
import {
  deleteFiles,
  dropOrphans,
  putFiles,
  type StoredFile,
} from '@/lib/client/attachments/files-db';
import type { Prepared } from '@/lib/client/attachments/kind';
import {
  addVersion,
  append,
  historyBefore,
  removeVersion,
  showVersion,
  subtreeIds,
} from '@/lib/client/tree';
import { noteDeleted, noteRestored, onBroadcast } from './other-tabs';
import {
  cancelStart,
  closeFollowing,
  followedReplyIds,
  markContinuing,
  resumeStreaming,
  startReply,
  stopReply,
} from './replies';
import {
  activeConversation,
  canContinue,
  comparedAnswers,
  findConversation,
  flushSaves,
  getState,
  isStreaming,
  lastShown,
  replaceConversation,
  seesImages,
  set,
  sortByUpdated,
  updateConversation,
  updateMessage,
} from './state';
import { broadcast, listenToOtherTabs } from './tabs';
import { importFile } from './transfer';

/** The models the server offers, the one chosen for new chats first if it still does. */
async function fetchModels(): Promise<ModelsResponse | null> {
  const models = await fetch('/api/models')
    .then((r) => (r.ok ? (r.json() as Promise<ModelsResponse>) : null))
    .catch(() => null);
  const savedModel = readPreference('model');
  if (models && savedModel && models.models.some((m) => m.id === savedModel)) {
    models.default = savedModel;
  }
  return models;
}

/** What `remove` took away, for `restore`. */
export interface Removed {
  conversations: Conversation[];
  /** Their attachments' bytes. */
  files: StoredFile[];
  /** The open chat, when it was one of them. */
  activeId: string | null;
}

function userMessage(text: string, attachments: Attachment[] = []): StoredMessage {
  return {
    id: newId(),
    role: 'user',
    content: text,
    ...(attachments.length > 0 && { attachments }),
    status: 'done',
    createdAt: Date.now(),
  };
}

function assistantFor(conversation: Conversation, model?: string): StoredMessage {
  return {
    id: newId(),
    role: 'assistant',
    content: '',
    status: 'streaming',
    createdAt: Date.now(),
    model: model ?? conversation.model ?? getState().models?.default,
  };
}

const seeing = (model: string | undefined) => seesImages(getState().models?.models, model);

/** Starts the reply of an (empty) assistant message, answering the branch above it. */
function replyTo(conversationId: string, messageId: string) {
  const c = findConversation(conversationId);
  if (!c) return;
  const model = c.messages.find((m) => m.id === messageId)?.model;
  void startReply(
    conversationId,
    messageId,
    historyOf(historyBefore(c, messageId), { seeing: seeing(model) }),
  );
}

/** Stops every reply streaming among these messages (a chat or a version being deleted). */
function stopAll(messages: StoredMessage[]) {
  for (const m of messages) {
    if (m.status === 'streaming' && m.replyId) void stopReply(m.replyId);
    else if (m.status === 'streaming') cancelStart(m.id);
  }
}

/**
 * A new question after the branch shown, answered by the chat's model, or (two models) by both
 * at once for a compare.
 */
function ask(text: string, models: string[], files: Prepared[]) {
  let conversation = activeConversation();
  if (isStreaming(conversation)) return;
  if (!conversation) {
    const now = Date.now();
    const state = getState();
    conversation = {
      id: newId(),
      title: titleFrom(text || files.map((f) => f.attachment.name).join(', ')),
      createdAt: now,
      updatedAt: now,
      model: state.models?.default,
      systemPrompt: state.draftSystemPrompt,
      ...(Object.keys(state.draftParams).length > 0 && { params: state.draftParams }),
      messages: [],
    };
    replaceConversation(conversation);
    set({ activeId: conversation.id });
  }
  const user = userMessage(
    text,
    files.map((f) => f.attachment),
  );
  // In this page at once (the request reads them from there), in IndexedDB soon.
  void putFiles(
    files.map((f) => ({
      id: f.attachment.id,
      conversationId: conversation.id,
      blob: f.blob,
      savedAt: Date.now(),
    })),
  );
  const compareId = models.length > 1 ? newId() : undefined;
  const answers =
    models.length > 1
      ? models.map((model) => ({ ...assistantFor(conversation, model), compareId }))
      : [assistantFor(conversation)];
  const first = answers[0]!;
  updateConversation(
    conversation.id,
    (c) => {
      // A compare left without a pick goes on from the answer shown.
      let next = append({ ...c, comparing: undefined }, [user, first]);
      for (const other of answers.slice(1)) next = addVersion(next, first.id, [other]);
      return compareId ? { ...showVersion(next, first.id), comparing: compareId } : next;
    },
    { save: 'now', touch: true },
  );
  for (const answer of answers) replyTo(conversation.id, answer.id);
}

/** New chat was chosen before the stored chats were loaded. */
let choseBeforeReady = false;

export const chatActions = {
  async init() {
    if (getState().ready) return;
    listenToOtherTabs((event) => void onBroadcast(event));
    const [conversations, models] = await Promise.all([loadConversations(), fetchModels()]);
    // Opened offline (the service worker's copy of the page): the models come once back online.
    const retry = () =>
      void fetchModels().then((m) =>
        m ? set({ models: m }) : window.addEventListener('online', retry, { once: true }),
      );
    if (!models) window.addEventListener('online', retry, { once: true });
    const defaultSystemPrompt = readPreference('default-system-prompt') ?? '';
    const fromHash = decodeURIComponent(location.hash.slice(1));
    // A message sent while this was loading made a conversation already: this page's copy is
    // the newer one; keep it, and keep it open.
    const state = getState();
    const mine = new Set(state.conversations.map((c) => c.id));
    const loaded = conversations.filter((c) => !mine.has(c.id));
    const activeId =
      state.activeId ??
      (choseBeforeReady
        ? null
        : loaded.some((c) => c.id === fromHash)
          ? fromHash
          : (loaded[0]?.id ?? null));
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
    void dropOrphans(new Set(getState().conversations.map((c) => c.id))).catch(() => {});
    window.addEventListener('pagehide', () => {
      // Flush pending saves when the page goes away (reload, tab closed, tab frozen).
      flushSaves();
      // Tell the server this page stopped following: unless it comes back (a reload, another
      // tab), the reply ends after the grace period even where disconnects go unseen (Vercel).
      for (const replyId of followedReplyIds()) {
        navigator.sendBeacon(`/api/chat/${encodeURIComponent(replyId)}/leave`);
      }
    });
  },

  newChat() {
    // Pressed while the chats still load: the page opens on the new chat, not the latest one.
    if (!getState().ready) choseBeforeReady = true;
    set({ activeId: null, draftSystemPrompt: getState().defaultSystemPrompt, draftParams: {} });
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
    const state = getState();
    const removed: Removed = {
      files: [],
      conversations: state.conversations.filter((c) => gone.has(c.id)),
      activeId: state.activeId !== null && gone.has(state.activeId) ? state.activeId : null,
    };
    for (const c of removed.conversations) {
      noteDeleted(c.id, true);
      stopAll(c.messages);
    }
    set({
      conversations: state.conversations.filter((x) => !gone.has(x.id)),
      activeId: removed.activeId ? null : state.activeId,
    });
    for (const c of removed.conversations) {
      await deleteConversation(c.id);
      broadcast({ type: 'deleted', conversationId: c.id });
      removed.files.push(...(await deleteFiles(c.id)));
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
    for (const id of ids) noteRestored(id);
    const state = getState();
    set({
      conversations: sortByUpdated([...state.conversations.filter((c) => !ids.has(c.id)), ...back]),
      activeId: removed.activeId ?? state.activeId,
    });
    await putFiles(removed.files);
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

  /** The generation settings of a chat, or (id null) of the chat about to start. */
  setParams(id: string | null, params: GenerationParams) {
    if (id === null) set({ draftParams: params });
    else updateConversation(id, (c) => ({ ...c, params }), { save: 'soon' });
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
    const { models } = getState();
    set({ models: models ? { ...models, default: model } : models });
  },

  /** Sends a user message in the open conversation (creating it if there is none). */
  send(text: string, files: Prepared[] = []) {
    ask(text, [], files);
  },

  /**
   * Compare: one message answered by two models at once; both answers stream side by side until
   * the person picks the one to go on with (the other stays as a version).
   */
  sendCompare(text: string, models: [string, string], files: Prepared[] = []) {
    ask(text, models, files);
  },

  /** Goes on with one answer of a compare: it is shown, the other stays as a version. */
  pick(messageId: string) {
    const c = activeConversation();
    if (!c?.comparing || !c.messages.some((m) => m.id === messageId)) return;
    updateConversation(c.id, (x) => ({ ...showVersion(x, messageId), comparing: undefined }), {
      save: 'now',
    });
  },

  stop() {
    const c = activeConversation();
    const compared = comparedAnswers(c);
    if (compared.length > 0) {
      // Both answers of a compare (each also has its own Stop).
      for (const m of compared) if (m.status === 'streaming') chatActions.stopReply(m.id);
      return;
    }
    const last = lastShown(c);
    if (last) chatActions.stopReply(last.id);
  },

  /** Stops one reply of the open chat (shown or compared). */
  stopReply(messageId: string) {
    const c = activeConversation();
    const reply = c?.messages.find((m) => m.id === messageId);
    if (!c || reply?.status !== 'streaming') return;
    if (!reply.replyId) {
      // Not started yet (its request is in flight, or it waits for a place): it never will.
      cancelStart(reply.id);
      return;
    }
    // Said before asking the server, so the `close` that follows finds it (also in other tabs).
    updateMessage(c.id, reply.id, () => ({ stopReason: 'user' }), 'now');
    void stopReply(reply.replyId).then((ok) => {
      // The `close` event normally ends it; if the server no longer knows it, end it here.
      if (!ok) {
        closeFollowing(reply.id);
        updateMessage(c.id, reply.id, () => ({ status: 'stopped' }), 'now');
      }
    });
  },

  /**
   * A new version of the answer shown last (also Retry after an error), with the chat's model or
   * another one; the earlier version stays, one click away.
   */
  regenerate(model?: string) {
    const c = activeConversation();
    const last = lastShown(c);
    if (!c || !last || last.role !== 'assistant' || last.status === 'streaming') return;
    const assistant = assistantFor(c, model);
    updateConversation(c.id, (x) => addVersion(x, last.id, [assistant]), {
      save: 'now',
      touch: true,
    });
    replyTo(c.id, assistant.id);
  },

  /** A new version of a question, asked again; the earlier question and its branch stay. */
  edit(messageId: string, typed: string) {
    const c = activeConversation();
    const original = c?.messages.find((m) => m.id === messageId);
    const text = cleanMessage(typed);
    if (!c || isStreaming(c) || !original || original.role !== 'user') return;
    if (!text && !original.attachments?.length) return;
    // The new version of the question keeps its attachments.
    const user = userMessage(text, original.attachments);
    const assistant = assistantFor(c);
    updateConversation(c.id, (x) => addVersion(x, messageId, [user, assistant]), {
      save: 'now',
      touch: true,
    });
    replyTo(c.id, assistant.id);
  },

  /** Shows another version of a message (and the branch below it). */
  showVersion(messageId: string) {
    const c = activeConversation();
    if (!c?.messages.some((m) => m.id === messageId)) return;
    updateConversation(c.id, (x) => showVersion(x, messageId), { save: 'now' });
  },

  /** Deletes a version and its branch (replies streaming in it are stopped). */
  deleteVersion(messageId: string) {
    const c = activeConversation();
    if (!c?.messages.some((m) => m.id === messageId)) return;
    const gone = subtreeIds(c, messageId);
    stopAll(c.messages.filter((m) => gone.has(m.id)));
    updateConversation(c.id, (x) => removeVersion(x, messageId), { save: 'now' });
    // Attachments no other version shares go with it.
    const kept = new Set(
      findConversation(c.id)?.messages.flatMap((m) => (m.attachments ?? []).map((a) => a.id)),
    );
    void deleteFiles(c.id, kept);
  },

  /**
   * Asks the model to go on after a stop or an error; the text joins the same message. The
   * Continue instruction goes only into this request: it is never stored, exported or sent again
   * (later requests carry the whole answer as one assistant message).
   */
  continue() {
    const c = activeConversation();
    const last = lastShown(c);
    if (!c || !last || last.role !== 'assistant' || !canContinue(last)) return;
    const history = historyOf([...historyBefore(c, last.id), last], {
      seeing: seeing(last.model),
    }).then((h) => [...h, { role: 'user', content: CONTINUE_PROMPT }]);
    updateMessage(
      c.id,
      last.id,
      () => ({
        status: 'streaming',
        error: undefined,
        stopReason: undefined,
        cutShort: undefined,
        replyId: undefined,
        lastEventId: undefined,
        metrics: undefined,
      }),
      'now',
    );
    markContinuing(last.id);
    void startReply(c.id, last.id, history);
  },

  importFile,
};
