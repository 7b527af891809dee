'use client';
import { useState, type FormEvent, type KeyboardEvent, type Ref } from 'react';

/**
 * The message box: Enter sends, Shift+Enter adds a line, Escape stops a streaming reply. The
 * Stop button takes Send's place while a reply streams.
 */
export function Composer({
  ref,
  streaming,
  onSend,
  onStop,
}: {
  ref?: Ref<HTMLTextAreaElement>;
  streaming: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
}) {
  const [draft, setDraft] = useState('');

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const text = draft.trim();
    if (!text || streaming) return;
    setDraft('');
    onSend(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
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
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          rows={1}
          placeholder="Message the model (Enter sends, Shift+Enter adds a line)"
          className="[field-sizing:content] max-h-60 min-h-10 flex-1 resize-none bg-transparent px-2 py-2 text-base placeholder:text-zinc-500 focus:outline-none dark:placeholder:text-zinc-400"
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
          <button type="submit" disabled={!draft.trim()} className="btn-primary">
            Send
          </button>
        )}
      </div>
      <p className="mt-1.5 text-center text-xs text-zinc-600 dark:text-zinc-400">
        Esc stops a reply · Ctrl+Shift+O starts a new chat
      </p>
    </form>
  );
}
