'use client';
import { memo } from 'react';
import { useTranslations } from 'next-intl';
import type { StoredMessage } from '@/lib/client/types';
import { chatActions } from '@/lib/client/store';
import { AssistantMessage } from '@/components/message/assistant-message';

/**
 * A compare: the answers of two models to one message, side by side (stacked on a phone), each
 * streaming with its own Stop and figures. Picking one goes on from it; the other stays as a
 * version of that turn. Loaded the first time a compare is shown.
 */
export default function CompareView({
  answers,
  reconnecting,
}: {
  answers: StoredMessage[];
  reconnecting: ReadonlySet<string>;
}) {
  const t = useTranslations();
  return (
    <section aria-label={t('message.compareAnswers')} className="grid gap-4 sm:grid-cols-2">
      {answers.map((m) => (
        <Answer key={m.id} message={m} reconnecting={reconnecting.has(m.id)} />
      ))}
    </section>
  );
}

/** One side: memoised, so the other answer's tokens do not re-render it. */
const Answer = memo(function Answer({
  message: m,
  reconnecting,
}: {
  message: StoredMessage;
  reconnecting: boolean;
}) {
  const t = useTranslations();
  const model = m.model ?? t('message.theModel');
  return (
    <div
      role="region"
      aria-label={t('message.answerFrom', { model })}
      className="flex min-w-0 flex-col gap-2 rounded-xl border border-zinc-200 p-3 dark:border-zinc-800"
    >
      <p className="text-xs font-medium text-zinc-600 dark:text-zinc-400">{m.model}</p>
      <AssistantMessage message={m} isLast={false} reconnecting={reconnecting} busy={false} />
      <div className="mt-auto flex gap-2">
        {m.status === 'streaming' ? (
          <button
            type="button"
            className="btn-ghost border border-zinc-300 dark:border-zinc-700"
            aria-label={t('message.stopAnswerFrom', { model })}
            onClick={() => chatActions.stopReply(m.id)}
          >
            {t('composer.stop')}
          </button>
        ) : (
          <button
            type="button"
            className="btn-ghost border border-zinc-300 dark:border-zinc-700"
            onClick={() => chatActions.pick(m.id)}
          >
            {t('message.continueWith')}
          </button>
        )}
      </div>
    </div>
  );
});
