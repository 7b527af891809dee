'use client';
import { useId, useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { cleanMessage, lengthStatus } from '@/lib/client/message-text';
import { useCoarsePointer } from '@/hooks/use-media';

/**
 * The message box: Enter sends, Shift+Enter adds a line, Escape stops a streaming reply. On a
 * touch keyboard Enter adds a line and the Send button sends, and the keyboard hints are hidden.
 * The Stop button takes Send's place while a reply streams. The message is sent as typed (only
 * trailing whitespace goes); near the server's limit a counter shows, and past it Send is
 * disabled, so a message is never refused after sending.
 */
export function Composer({
  ref,
  streaming,
  onSend,
  onStop,
  maxMessageChars,
}: {
  ref?: Ref<HTMLTextAreaElement>;
  streaming: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  /** The server's MAX_MESSAGE_CHARS: a counter shows from 90 % of it. */
  maxMessageChars?: number;
}) {
  const [draft, setDraft] = useState('');
  const coarse = useCoarsePointer();
  const counterId = useId();
  const text = cleanMessage(draft);
  const length = lengthStatus(text.length, maxMessageChars);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!text || streaming || length.over) return;
    setDraft('');
    onSend(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && !coarse) submit(e);
    else if (e.key === 'Escape' && streaming) {
      e.preventDefault();
      onStop();
    }
  };

  return (
    <form onSubmit={submit} className="mx-auto w-full max-w-3xl px-4 pt-2 pb-4">
      <div className="flex items-end gap-2 rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-blue-600 dark:border-zinc-700 dark:bg-zinc-900">
        <textarea
          ref={ref}
          id="message"
          aria-label="Message"
          aria-describedby={length.show ? counterId : undefined}
          aria-invalid={length.over || undefined}
          dir="auto"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          rows={1}
          placeholder={
            coarse
              ? 'Message the model'
              : 'Message the model (Enter sends, Shift+Enter adds a line)'
          }
          className="[field-sizing:content] max-h-60 min-h-10 min-w-0 flex-1 resize-none bg-transparent px-2 py-2 text-base placeholder:text-zinc-500 focus:outline-none dark:placeholder:text-zinc-400"
        />
        {streaming ? (
          <button
            type="button"
            onClick={onStop}
            className="btn-primary bg-zinc-800 hover:bg-zinc-700 dark:bg-zinc-200 dark:text-zinc-900 dark:hover:bg-white"
          >
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!text || length.over} className="btn-primary">
            Send
          </button>
        )}
      </div>
      {(length.show || !coarse) && (
        <p className="mt-1.5 flex flex-wrap items-baseline justify-center gap-x-3 text-center text-xs text-zinc-600 dark:text-zinc-400">
          {!coarse && <span>Esc stops a reply · Ctrl+Shift+O starts a new chat</span>}
          {length.show && (
            <span
              id={counterId}
              data-testid="length-counter"
              className={
                length.over
                  ? 'font-medium text-red-700 tabular-nums dark:text-red-400'
                  : 'tabular-nums'
              }
            >
              {length.count}
              {length.over && (
                <span role="status">
                  {' '}
                  — too long to send: shorten it by {length.excess.toLocaleString('en-US')}{' '}
                  {length.excess === 1 ? 'character' : 'characters'}.
                </span>
              )}
            </span>
          )}
        </p>
      )}
    </form>
  );
}
