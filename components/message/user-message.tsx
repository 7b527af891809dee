'use client';
import { useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import type { StoredMessage } from '@/lib/client/types';
import { chatActions } from '@/lib/client/store';
import { cleanMessage } from '@/lib/client/message-text';
import { useCoarsePointer } from '@/hooks/use-media';
import { CopyButton } from '@/components/copy-button';
import { EditIcon } from '@/components/icons';
import { VersionSwitcher, type Versions } from '@/components/message/version-switcher';
import { MessageTime } from '@/components/message/message-time';
import { MessageAttachments } from '@/components/attachments';

/**
 * The person's message: shown exactly as typed (leading spaces, lines, right-to-left text), and
 * wrapped anywhere so that a long URL or hash stays in the column. The edit box works like the
 * message box: Enter sends, Shift+Enter adds a line (on a touch keyboard Enter adds a line),
 * Escape cancels and gives focus back to Edit.
 */
export function UserMessage({
  message,
  busy,
  versions,
}: {
  message: StoredMessage;
  busy: boolean;
  versions?: Versions;
}) {
  const t = useTranslations();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.content);
  const coarse = useCoarsePointer();
  const editButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    editButton.current?.focus();
  }, [editing]);
  const cancel = () => {
    refocus.current = true;
    setEditing(false);
  };
  const form = useRef<HTMLFormElement>(null);
  // The edit box opens where the question was: all of it in view, even when the page was
  // following the end of the conversation.
  useEffect(() => {
    if (editing) form.current?.scrollIntoView({ block: 'nearest' });
  }, [editing]);
  const text = cleanMessage(draft);
  const attachments = message.attachments ?? [];
  // Unchanged, it would only make a copy of the same question.
  const sendable = (!!text || attachments.length > 0) && text !== cleanMessage(message.content);

  if (editing) {
    return (
      <form
        ref={form}
        aria-label={t('message.editForm')}
        data-edit-message
        className="ml-auto w-full max-w-[85%] space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (!sendable) return;
          setEditing(false);
          chatActions.edit(message.id, text);
          // The edit box goes away: the message box is where the conversation goes on.
          if (!coarse) document.getElementById('message')?.focus();
        }}
      >
        <textarea
          aria-label={t('message.edited')}
          dir="auto"
          className="field min-h-24"
          value={draft}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              cancel();
            } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && !coarse) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <div className="flex items-center justify-end gap-2">
          {attachments.length > 0 && (
            <p className="mr-auto text-xs text-zinc-600 dark:text-zinc-400">
              {t('message.attachmentsAgain', { count: attachments.length })}
            </p>
          )}
          <button type="button" className="btn-ghost" onClick={cancel}>
            {t('message.cancel')}
          </button>
          <button type="submit" className="btn-primary" disabled={!sendable}>
            {t('message.saveAndSend')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <article
      aria-label={t('message.you')}
      className="group ml-auto flex max-w-[85%] min-w-0 flex-col items-end"
    >
      {attachments.length > 0 && <MessageAttachments attachments={attachments} />}
      {message.content && (
        <div
          dir="auto"
          className="max-w-full rounded-2xl bg-blue-600 px-4 py-2 [overflow-wrap:anywhere] whitespace-pre-wrap text-white"
        >
          {message.content}
        </div>
      )}
      <div className="mt-1 flex items-center gap-1">
        {/* Always shown, as under answers: that a question has other versions is worth seeing. */}
        {versions && <VersionSwitcher messageId={message.id} versions={versions} disabled={busy} />}
        <span className="flex items-center gap-1 opacity-100 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
          <MessageTime at={message.createdAt} />
          <CopyButton text={message.content} />
          <button
            ref={editButton}
            type="button"
            className="btn-ghost"
            disabled={busy}
            onClick={() => {
              setDraft(message.content);
              setEditing(true);
            }}
          >
            <EditIcon />
            <span className="sr-only sm:not-sr-only">{t('message.edit')}</span>
          </button>
        </span>
      </div>
    </article>
  );
}
