'use client';
import { memo, useState } from 'react';
import type { StoredMessage } from '@/lib/client/types';
import { chatActions } from '@/lib/client/chat-store';
import { Markdown } from '@/components/markdown';
import { CopyButton } from '@/components/copy-button';
import { EditIcon, PlayIcon, RefreshIcon } from '@/components/icons';

interface Props {
  message: StoredMessage;
  /** The last message of the conversation (Regenerate and Continue apply to it only). */
  isLast: boolean;
  /** A reply is streaming in this conversation: no edits meanwhile. */
  busy: boolean;
  reconnecting: boolean;
}

/** One message. Memoised: a streaming reply re-renders itself, not the conversation. */
export const Message = memo(function Message(props: Props) {
  return props.message.role === 'user' ? (
    <UserMessage {...props} />
  ) : (
    <AssistantMessage {...props} />
  );
});

function UserMessage({ message, busy }: Props) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  if (editing) {
    return (
      <form
        aria-label="Edit message"
        className="ml-auto w-full max-w-[85%] space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          setEditing(false);
          chatActions.edit(message.id, draft);
        }}
      >
        <textarea
          aria-label="Edited message"
          className="field min-h-24"
          value={draft}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setEditing(false);
          }}
        />
        <div className="flex justify-end gap-2">
          <button type="button" className="btn-ghost" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <button type="submit" className="btn-primary" disabled={!draft.trim()}>
            Save and send
          </button>
        </div>
      </form>
    );
  }
  return (
    <article aria-label="You" className="group ml-auto flex max-w-[85%] flex-col items-end">
      <div className="rounded-2xl bg-blue-600 px-4 py-2 break-words whitespace-pre-wrap text-white">
        {message.content}
      </div>
      <div className="mt-1 flex gap-1 opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
        <CopyButton text={message.content} />
        <button
          type="button"
          className="btn-ghost"
          disabled={busy}
          onClick={() => {
            setDraft(message.content);
            setEditing(true);
          }}
        >
          <EditIcon />
          <span className="sr-only sm:not-sr-only">Edit</span>
        </button>
      </div>
    </article>
  );
}

function AssistantMessage({ message, isLast, reconnecting }: Props) {
  const { status, error, reasoning } = message;
  const streaming = status === 'streaming';
  return (
    <article aria-label="Assistant" data-status={status} className="group max-w-full">
      {reasoning && (
        <details className="mb-2 rounded-lg border border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800">
          <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">Thinking</summary>
          <p className="mt-2 whitespace-pre-wrap text-zinc-600 dark:text-zinc-400">{reasoning}</p>
        </details>
      )}
      <div
        className="prose prose-zinc dark:prose-invert prose-pre:bg-zinc-900 prose-pre:text-zinc-100 prose-code:before:content-none prose-code:after:content-none max-w-none break-words"
        data-testid="assistant-text"
      >
        {message.content ? <Markdown text={message.content} streaming={streaming} /> : null}
      </div>
      {streaming && (
        <p className="mt-1 flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <span
            className="inline-block size-2 animate-pulse rounded-full bg-blue-600"
            aria-hidden
          />
          {reconnecting ? 'Reconnecting…' : message.content ? 'Streaming' : 'Thinking…'}
        </p>
      )}
      {status === 'stopped' && (
        <p className="mt-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">Stopped</p>
      )}
      {status === 'error' && error && (
        <div
          role="alert"
          className="mt-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          {error.message}
        </div>
      )}
      {!streaming && (
        <div className="mt-1 flex flex-wrap items-center gap-1">
          {message.content && <CopyButton text={message.content} />}
          {isLast && status === 'error' && (
            <button type="button" className="btn-ghost" onClick={() => chatActions.regenerate()}>
              <RefreshIcon />
              Retry
            </button>
          )}
          {isLast && status !== 'error' && (
            <button type="button" className="btn-ghost" onClick={() => chatActions.regenerate()}>
              <RefreshIcon />
              <span className="sr-only sm:not-sr-only">Regenerate</span>
            </button>
          )}
          {isLast && (status === 'stopped' || status === 'error') && message.content && (
            <button type="button" className="btn-ghost" onClick={() => chatActions.continue()}>
              <PlayIcon />
              Continue
            </button>
          )}
          <Figures message={message} />
        </div>
      )}
    </article>
  );
}

/** Time to first token, speed and token usage, when known. */
function Figures({ message }: { message: StoredMessage }) {
  const parts: string[] = [];
  if (message.model) parts.push(message.model);
  if (message.metrics?.ttftMs !== undefined)
    parts.push(`${message.metrics.ttftMs} ms to first token`);
  if (message.metrics?.tokensPerSecond !== undefined)
    parts.push(`${message.metrics.tokensPerSecond} tok/s`);
  if (message.usage) {
    parts.push(`${message.usage.promptTokens} in · ${message.usage.completionTokens} out tokens`);
  }
  if (parts.length === 0) return null;
  return (
    <p
      className="ml-auto text-xs text-zinc-600 tabular-nums dark:text-zinc-400"
      data-testid="figures"
    >
      {parts.join(' · ')}
    </p>
  );
}
