'use client';
import { useTranslations } from 'next-intl';
import { WifiOffIcon } from '@/components/icons';

/**
 * Offline: the chats stored here can be read, and sending waits for a connection (the message
 * box holds Send back while this shows, and lets it go as soon as the browser is online again).
 */
export function OfflineNotice() {
  const t = useTranslations();
  return (
    <div
      role="status"
      className="mb-2 flex items-start gap-2 rounded-xl border border-zinc-300 bg-zinc-50 px-3 py-2 text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
    >
      <span className="mt-0.5 shrink-0">
        <WifiOffIcon />
      </span>
      <p>
        <strong className="font-semibold">{t('notices.offlineTitle')}</strong>{' '}
        {t('notices.offlineBody')}
      </p>
    </div>
  );
}
