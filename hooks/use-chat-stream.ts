'use client';
/**
 * The browser side of the streaming contract: POST a conversation, follow the reply with a
 * native EventSource (which resumes by itself after a dropped connection, sending
 * Last-Event-ID), and keep the messages in React state. Deltas are gathered and committed once
 * per animation frame, so a fast stream costs one render per frame, not one per token.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  CloseData,
  CreatedReply,
  DeltaData,
  ErrorBody,
  ErrorData,
  UsageData,
} from '@/lib/chat/protocol';

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'error';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  reasoning?: string;
  status: MessageStatus;
  replyId?: string;
  error?: ErrorData;
  usage?: UsageData;
  /** True while EventSource is reconnecting after a dropped connection. */
  reconnecting?: boolean;
}

let counter = 0;
const localId = () => `m${Date.now().toString(36)}${(counter++).toString(36)}`;

export function useChatStream() {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const messagesRef = useRef(messages);
  useEffect(() => {
    messagesRef.current = messages;
  }, [messages]);
  const source = useRef<EventSource | null>(null);
  const pending = useRef<{ content: string; reasoning: string }>({ content: '', reasoning: '' });
  const frame = useRef<number | null>(null);

  const update = useCallback((id: string, patch: (m: ChatMessage) => Partial<ChatMessage>) => {
    setMessages((list) => list.map((m) => (m.id === id ? { ...m, ...patch(m) } : m)));
  }, []);

  const flush = useCallback(
    (id: string) => {
      frame.current = null;
      const { content, reasoning } = pending.current;
      if (!content && !reasoning) return;
      pending.current = { content: '', reasoning: '' };
      update(id, (m) => ({
        content: m.content + content,
        reasoning: reasoning ? (m.reasoning ?? '') + reasoning : m.reasoning,
        reconnecting: false,
      }));
    },
    [update],
  );

  const finish = useCallback(
    (id: string, patch: Partial<ChatMessage>) => {
      source.current?.close();
      source.current = null;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      flush(id);
      update(id, () => ({ ...patch, reconnecting: false }));
    },
    [flush, update],
  );

  const follow = useCallback(
    (id: string, streamUrl: string) => {
      const es = new EventSource(streamUrl);
      source.current = es;
      let error: ErrorData | undefined;
      const schedule = () => {
        frame.current ??= requestAnimationFrame(() => flush(id));
      };
      es.addEventListener('message', (e) => {
        pending.current.content += (JSON.parse(e.data) as DeltaData).content;
        schedule();
      });
      es.addEventListener('reasoning', (e) => {
        pending.current.reasoning += (JSON.parse((e as MessageEvent).data) as DeltaData).content;
        schedule();
      });
      es.addEventListener('usage', (e) => {
        const usage = JSON.parse((e as MessageEvent).data) as UsageData;
        update(id, () => ({ usage }));
      });
      es.addEventListener('error', (e) => {
        if (e instanceof MessageEvent) {
          // The server's `error` event: the reply failed; `close` follows.
          error = JSON.parse(e.data) as ErrorData;
          return;
        }
        // A transport error: EventSource reconnects unless the server answered for good.
        if (es.readyState === EventSource.CLOSED) {
          finish(id, {
            status: 'error',
            error: {
              code: 'connection_lost',
              message: 'Lost the connection to the reply, and it could not be resumed.',
              retryable: true,
            },
          });
        } else {
          update(id, () => ({ reconnecting: true }));
        }
      });
      es.addEventListener('open', () => update(id, () => ({ reconnecting: false })));
      es.addEventListener('close', (e) => {
        const { finishReason } = JSON.parse((e as MessageEvent).data) as CloseData;
        const status: MessageStatus =
          finishReason === 'stopped' ? 'stopped' : finishReason === 'error' ? 'error' : 'done';
        finish(id, { status, error });
      });
    },
    [finish, flush, update],
  );

  const send = useCallback(
    async (text: string) => {
      if (source.current) return;
      const user: ChatMessage = { id: localId(), role: 'user', content: text, status: 'done' };
      const assistant: ChatMessage = {
        id: localId(),
        role: 'assistant',
        content: '',
        status: 'streaming',
      };
      const history = [...messagesRef.current, user]
        .filter((m) => m.role === 'user' || m.content)
        .map(({ role, content }) => ({ role, content }));
      setMessages((list) => [...list, user, assistant]);
      try {
        const res = await fetch('/api/chat', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ messages: history }),
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as ErrorBody | null;
          throw new Error(body?.error.message ?? `The server answered ${res.status}.`);
        }
        const created = (await res.json()) as CreatedReply;
        update(assistant.id, () => ({ replyId: created.id }));
        follow(assistant.id, created.streamUrl);
      } catch (e) {
        update(assistant.id, () => ({
          status: 'error',
          error: {
            code: 'request_failed',
            message: e instanceof Error ? e.message : 'The request failed.',
            retryable: true,
          },
        }));
      }
    },
    [follow, update],
  );

  const stop = useCallback(async () => {
    const last = messagesRef.current.at(-1);
    if (!last || last.status !== 'streaming') return;
    if (!last.replyId) return;
    const res = await fetch(`/api/chat/${encodeURIComponent(last.replyId)}`, {
      method: 'DELETE',
    }).catch(() => null);
    // The `close` event normally ends it; if the reply is gone, end it here.
    if (!res || !res.ok) finish(last.id, { status: 'stopped' });
  }, [finish]);

  useEffect(() => () => source.current?.close(), []);

  const streaming = messages.at(-1)?.status === 'streaming';
  return { messages, send, stop, streaming };
}
