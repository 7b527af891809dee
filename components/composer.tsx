'use client';
import {
  useId,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';
import { useLocale, useTranslations } from 'next-intl';
import { cleanMessage, lengthStatus } from '@/lib/client/message-text';
import { ACCEPT } from '@/lib/client/attachments/kind';
import type { Prepared } from '@/lib/client/attachments/kind';
import { useCoarsePointer } from '@/hooks/use-media';
import type { useAttachments } from '@/hooks/use-attachments';
import { PendingAttachments } from '@/components/attachments';
import { PaperclipIcon } from '@/components/icons';

/**
 * The message box: Enter sends, Shift+Enter adds a line, Escape stops a streaming reply. On a
 * touch keyboard Enter adds a line and the Send button sends, and the keyboard hints are hidden.
 * The Stop button takes Send's place while a reply streams. The message is sent as typed (only
 * trailing whitespace goes); near the server's limit a counter shows, and past it Send is
 * disabled, so a message is never refused after sending. Files come by the Attach button or a
 * paste (a drop on the conversation is handled by the page); `blocked` says why what is attached
 * cannot go to this model, and holds Send back; `notice` says something worth knowing before
 * sending without holding it back.
 */
export function Composer({
  ref,
  streaming,
  onSend,
  onStop,
  maxMessageChars,
  attachments,
  blocked,
  notice,
}: {
  ref?: Ref<HTMLTextAreaElement>;
  streaming: boolean;
  onSend: (text: string, files: Prepared[]) => void;
  onStop: () => void;
  /** The server's MAX_MESSAGE_CHARS: a counter shows from 90 % of it. */
  maxMessageChars?: number;
  attachments: ReturnType<typeof useAttachments>;
  blocked?: ReactNode;
  notice?: ReactNode;
}) {
  const t = useTranslations();
  const locale = useLocale();
  const [draft, setDraft] = useState('');
  const coarse = useCoarsePointer();
  const counterId = useId();
  const picker = useRef<HTMLInputElement>(null);
  const text = cleanMessage(draft);
  const { pending, refusals, preparing } = attachments;
  // A file's text counts against the same limit as the typed text (its size in bytes: never less).
  const fileChars = pending.reduce(
    (n, p) => n + (p.ready?.attachment.kind === 'file' ? p.ready.attachment.size + 40 : 0),
    0,
  );
  const length = lengthStatus(text.length + fileChars, maxMessageChars, locale);
  const canSend = (!!text || pending.length > 0) && !preparing && !length.over && !blocked;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSend || streaming) return;
    setDraft('');
    onSend(text, attachments.take());
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
      {refusals.length > 0 && (
        <div role="alert" className="mb-2 space-y-0.5 text-sm text-red-700 dark:text-red-400">
          {refusals.map((r, i) => (
            <p key={i}>{t(r.key, r.values)}</p>
          ))}
        </div>
      )}
      {blocked ?? notice}
      <div className="rounded-2xl border border-zinc-300 bg-white p-2 shadow-sm focus-within:border-blue-600 dark:border-zinc-700 dark:bg-zinc-900">
        <div className="flex items-end gap-2">
          <input
            ref={picker}
            type="file"
            multiple
            accept={ACCEPT}
            tabIndex={-1}
            aria-hidden
            className="hidden"
            onChange={(e) => {
              attachments.add([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          <button
            type="button"
            aria-label={t('composer.attach')}
            title={t('composer.attachTitle')}
            className="grid size-10 shrink-0 place-items-center rounded-xl text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-zinc-400 dark:hover:bg-zinc-800"
            onClick={() => picker.current?.click()}
          >
            <PaperclipIcon />
          </button>
          <textarea
            ref={ref}
            id="message"
            aria-label={t('composer.message')}
            aria-describedby={length.show ? counterId : undefined}
            aria-invalid={length.over || undefined}
            dir="auto"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            onPaste={(e) => {
              const files = [...e.clipboardData.files];
              if (files.length === 0) return;
              e.preventDefault();
              attachments.add(files);
            }}
            rows={1}
            placeholder={coarse ? t('composer.placeholder') : t('composer.placeholderKeys')}
            className="[field-sizing:content] max-h-60 min-h-10 min-w-0 flex-1 resize-none bg-transparent px-2 py-2 text-base placeholder:text-zinc-500 focus:outline-none dark:placeholder:text-zinc-400"
          />
          {streaming ? (
            <button
              type="button"
              onClick={onStop}
              className="btn-primary bg-zinc-800 hover:bg-zinc-700 dark:bg-zinc-200 dark:text-zinc-900 dark:hover:bg-white"
            >
              {t('composer.stop')}
            </button>
          ) : (
            <button type="submit" disabled={!canSend} className="btn-primary">
              {t('composer.send')}
            </button>
          )}
        </div>
        <PendingAttachments pending={pending} onRemove={attachments.remove} />
      </div>
      {(length.show || !coarse) && (
        <p className="mt-1.5 flex flex-wrap items-baseline justify-center gap-x-3 text-center text-xs text-zinc-600 dark:text-zinc-400">
          {!coarse && <span>{t('composer.hints')}</span>}
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
                <span role="status"> {t('composer.tooLong', { excess: length.excess })}</span>
              )}
            </span>
          )}
        </p>
      )}
    </form>
  );
}
