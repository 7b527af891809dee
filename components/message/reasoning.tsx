'use client';
import { memo, useLayoutEffect, useRef } from 'react';
import { useTranslations } from 'next-intl';

/**
 * The model's reasoning. While it streams (before the answer starts) it is shown open, following
 * its end in a box of limited height, labelled "Thinking…"; then it folds into "Thought for N s",
 * which can be opened. Memoised on its text: the answer streaming after it does not re-render it.
 */
export const Reasoning = memo(function Reasoning({
  text,
  live,
  thoughtMs,
}: {
  text: string;
  /** Reasoning is what streams right now. */
  live: boolean;
  thoughtMs: number | undefined;
}) {
  const t = useTranslations();
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (live && el) el.scrollTop = el.scrollHeight;
  }, [text, live]);

  if (live) {
    return (
      <section
        aria-label={t('message.thinking')}
        className="mb-3 rounded-lg border border-zinc-200 text-sm dark:border-zinc-800"
      >
        <p className="flex items-center gap-2 px-3 pt-2 font-medium text-zinc-700 dark:text-zinc-300">
          <span
            className="inline-block size-2 animate-pulse rounded-full bg-blue-600"
            aria-hidden
          />
          {t('message.thinking')}
        </p>
        <div
          ref={box}
          dir="auto"
          className="max-h-40 overflow-y-auto px-3 pt-1 pb-2 [overflow-wrap:anywhere] whitespace-pre-wrap text-zinc-600 dark:text-zinc-400"
        >
          {text}
        </div>
      </section>
    );
  }
  const seconds = thoughtMs !== undefined ? Math.max(1, Math.round(thoughtMs / 1000)) : undefined;
  return (
    <details className="mb-3 rounded-lg border border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800">
      <summary className="cursor-pointer text-zinc-600 dark:text-zinc-400">
        {seconds !== undefined ? t('message.thoughtFor', { seconds }) : t('message.reasoning')}
      </summary>
      <p
        dir="auto"
        className="mt-2 [overflow-wrap:anywhere] whitespace-pre-wrap text-zinc-600 dark:text-zinc-400"
      >
        {text}
      </p>
    </details>
  );
});
