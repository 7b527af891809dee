'use client';
import { useSyncExternalStore } from 'react';
import { useLocale, useTranslations } from 'next-intl';
import { useOnline } from '@/hooks/use-media';
import { chatStore, getServerSnapshot, streamingTitles } from '@/lib/client/store';
import { useSecondsLeft } from '@/components/message/use-seconds-left';
import { WifiOffIcon } from '@/components/icons';

/** The stream dropped and the browser is reconnecting: said plainly, with what will happen. */
export function ReconnectingNotice() {
  const t = useTranslations();
  const online = useOnline();
  return (
    <div
      role="status"
      className="mt-2 flex items-start gap-2 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <span className="mt-0.5 shrink-0">
        <WifiOffIcon />
      </span>
      <p>
        <strong className="font-semibold">{t('notices.reconnecting')}</strong>{' '}
        {online ? t('notices.connectionLost') : t('notices.offline')}
      </p>
    </div>
  );
}

/** A stopped reply: plainly "Stopped" after Stop, an explanation when nobody pressed it. */
export function StoppedNote({ reason }: { reason: 'user' | 'abandoned' | undefined }) {
  const t = useTranslations();
  return (
    <p className="mt-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
      {reason === 'abandoned' ? t('notices.abandoned') : t('notices.stopped')}
    </p>
  );
}

/** A reply that ended before its answer did: at a length limit, or by the provider's filter. */
export function CutShortNote({ reason }: { reason: 'length' | 'content_filter' }) {
  const t = useTranslations();
  return (
    <p className="mt-1 text-xs font-medium text-amber-800 dark:text-amber-300">
      {reason === 'length' ? t('notices.cutLength') : t('notices.cutFilter')}
    </p>
  );
}

/** Titles of the chats whose reply streams right now in this browser. */
function useRunningTitles(): string[] {
  const state = useSyncExternalStore(chatStore.subscribe, chatStore.getSnapshot, getServerSnapshot);
  return streamingTitles(state);
}

/**
 * The server would not start this reply yet (too many at once, or per minute): it waits, says
 * why and where the others run, and starts by itself. Stop cancels it.
 */
export function WaitingNotice({ waiting }: { waiting: { until: number; reason: string } }) {
  const t = useTranslations();
  const locale = useLocale();
  const seconds = useSecondsLeft(waiting.until);
  const running = useRunningTitles();
  return (
    <div
      role="status"
      className="mt-2 rounded-lg border border-zinc-300 bg-zinc-50 px-3 py-2 text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
    >
      <p>
        {/* The server's reason is English (the API's language): the page says its own. */}
        <strong className="font-semibold">{t('notices.waiting')}</strong>{' '}
        {t('notices.waitingReason')}
      </p>
      {running.length > 0 && (
        <p className="mt-1">
          {t('notices.running', {
            count: running.length,
            titles: new Intl.ListFormat(locale).format(running.map((title) => `“${title}”`)),
          })}
        </p>
      )}
      <p className="mt-1 tabular-nums">
        {seconds > 0 ? t('notices.startsItselfIn', { seconds }) : t('notices.startsItself')}
      </p>
    </div>
  );
}

/** The server left the earliest messages out so that the conversation fits the model. */
export function OmittedNote({ count }: { count: number }) {
  const t = useTranslations();
  return (
    <p
      role="note"
      className="mb-2 flex items-center gap-2 text-xs text-zinc-600 before:h-px before:flex-1 before:bg-zinc-300 after:h-px after:flex-1 after:bg-zinc-300 dark:text-zinc-400 dark:before:bg-zinc-700 dark:after:bg-zinc-700"
    >
      {t('notices.omitted', { count })}
    </p>
  );
}
