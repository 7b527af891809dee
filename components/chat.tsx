'use client';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useChatStream, type ChatMessage } from '@/hooks/use-chat-stream';
import { Markdown } from '@/components/markdown';

export function Chat({ demo, model }: { demo: boolean; model: string }) {
  const { messages, send, stop, streaming } = useChatStream();
  const [draft, setDraft] = useState('');
  const log = useRef<HTMLElement>(null);
  const pinned = useRef(true);

  // Follow the stream while the person is at the bottom; leave them be once they scroll up.
  useEffect(() => {
    const el = log.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const text = draft.trim();
    if (!text || streaming) return;
    setDraft('');
    void send(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
    if (e.key === 'Escape' && streaming) void stop();
  };

  return (
    <div className="mx-auto flex h-dvh max-w-3xl flex-col">
      <header className="flex items-center justify-between border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h1 className="text-lg font-semibold">StreamChat</h1>
        <span className="text-sm text-zinc-500">{model}</span>
      </header>
      {demo && (
        <p
          role="note"
          className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          You are chatting with the <strong>built-in demo model</strong>, not a real language model.
          Set <code>OPENAI_API_KEY</code> (or <code>OPENAI_BASE_URL</code>) on the server to use
          one.
        </p>
      )}
      <main
        ref={log}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
        className="flex-1 space-y-4 overflow-y-auto px-4 py-6"
        aria-label="Conversation"
      >
        {messages.length === 0 && (
          <p className="text-center text-zinc-500">Ask anything to start.</p>
        )}
        {messages.map((m) => (
          <Message key={m.id} message={m} />
        ))}
      </main>
      <form
        onSubmit={submit}
        className="flex items-end gap-2 border-t border-zinc-200 p-4 dark:border-zinc-800"
      >
        <textarea
          aria-label="Message"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          rows={2}
          placeholder="Type a message. Enter sends, Shift+Enter adds a line."
          className="flex-1 resize-none rounded-md border border-zinc-300 bg-transparent p-2 focus:ring-2 focus:ring-blue-500 focus:outline-none dark:border-zinc-700"
        />
        {streaming ? (
          <button
            type="button"
            onClick={() => void stop()}
            className="rounded-md bg-zinc-800 px-4 py-2 text-white hover:bg-zinc-700 focus-visible:ring-2 focus-visible:ring-blue-500 focus-visible:outline-none dark:bg-zinc-200 dark:text-zinc-900"
          >
            Stop
          </button>
        ) : (
          <button
            type="submit"
            disabled={!draft.trim()}
            className="rounded-md bg-blue-600 px-4 py-2 text-white hover:bg-blue-500 focus-visible:ring-2 focus-visible:ring-blue-500 focus-visible:outline-none disabled:opacity-50"
          >
            Send
          </button>
        )}
      </form>
    </div>
  );
}

const STATUS_LABEL: Record<ChatMessage['status'], string> = {
  streaming: 'Streaming',
  done: 'Complete',
  stopped: 'Stopped',
  error: 'Failed',
};

function Message({ message }: { message: ChatMessage }) {
  const mine = message.role === 'user';
  return (
    <article
      aria-label={mine ? 'You' : 'Assistant'}
      data-status={message.status}
      className={mine ? 'ml-auto max-w-[85%]' : 'max-w-full'}
    >
      {mine ? (
        <div className="rounded-lg bg-blue-600 px-3 py-2 whitespace-pre-wrap text-white">
          {message.content}
        </div>
      ) : (
        <div
          className="prose prose-zinc dark:prose-invert prose-pre:bg-zinc-900 prose-pre:text-zinc-100 prose-code:before:content-none prose-code:after:content-none max-w-none"
          data-testid="assistant-text"
        >
          {message.content ? (
            <Markdown text={message.content} />
          ) : (
            message.status === 'streaming' && <p className="text-zinc-500">Thinking…</p>
          )}
        </div>
      )}
      {!mine && message.status !== 'done' && (
        <p className="mt-1 text-xs text-zinc-500">
          {message.reconnecting ? 'Reconnecting…' : STATUS_LABEL[message.status]}
        </p>
      )}
      {message.error && (
        <p
          role="alert"
          className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {message.error.message}
        </p>
      )}
    </article>
  );
}
