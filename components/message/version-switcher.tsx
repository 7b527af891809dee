'use client';
import { useState } from 'react';
import { useTranslations } from 'next-intl';
import { chatActions } from '@/lib/client/store';
import { TrashIcon } from '@/components/icons';

export interface Versions {
  /** 0-based position of the version shown. */
  index: number;
  count: number;
  previous?: string;
  next?: string;
}

/**
 * ‹ 2 / 3 › under a message with other versions (edits of a question, regenerations of an
 * answer): switching shows that version and the branch below it. Deleting a version asks first.
 */
export function VersionSwitcher({
  messageId,
  versions,
  disabled,
}: {
  messageId: string;
  versions: Versions;
  /** While a reply streams in the branch shown, the branch stays put. */
  disabled: boolean;
}) {
  const t = useTranslations();
  const [confirming, setConfirming] = useState(false);
  const { index, count, previous, next } = versions;
  if (confirming) {
    return (
      <div
        role="group"
        aria-label={t('message.deleteVersionAsk')}
        className="flex items-center gap-1 text-xs"
      >
        <span className="text-zinc-700 dark:text-zinc-300">{t('message.deleteVersionAsk')}</span>
        <button
          type="button"
          className="btn-ghost text-red-700 dark:text-red-300"
          onClick={() => {
            setConfirming(false);
            chatActions.deleteVersion(messageId);
          }}
        >
          {t('message.delete')}
        </button>
        <button type="button" className="btn-ghost" onClick={() => setConfirming(false)} autoFocus>
          {t('message.keep')}
        </button>
      </div>
    );
  }
  return (
    <div
      role="group"
      aria-label={t('message.version', { index: index + 1, count })}
      className="flex items-center text-xs text-zinc-600 tabular-nums dark:text-zinc-400"
    >
      <button
        type="button"
        className="btn-ghost px-1.5"
        aria-label={t('message.previousVersion')}
        disabled={disabled || !previous}
        onClick={() => previous && chatActions.showVersion(previous)}
      >
        ‹
      </button>
      <span aria-hidden>
        {index + 1} / {count}
      </span>
      <button
        type="button"
        className="btn-ghost px-1.5"
        aria-label={t('message.nextVersion')}
        disabled={disabled || !next}
        onClick={() => next && chatActions.showVersion(next)}
      >
        ›
      </button>
      <button
        type="button"
        className="btn-ghost px-1.5"
        aria-label={t('message.deleteVersion')}
        title={t('message.deleteVersionTitle')}
        disabled={disabled}
        onClick={() => setConfirming(true)}
      >
        <TrashIcon />
      </button>
    </div>
  );
}
