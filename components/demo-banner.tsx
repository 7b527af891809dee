'use client';
import { useSyncExternalStore } from 'react';
import { useTranslations } from 'next-intl';
import { readPreference, writePreference } from '@/lib/client/preferences';
import { CloseIcon } from '@/components/icons';

const listeners = new Set<() => void>();
const dismissed = () => readPreference('demo-banner-dismissed') === '1';

/** Says the app runs on its built-in demo model, until the person dismisses it (remembered). */
export function DemoBanner() {
  const t = useTranslations();
  const hidden = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dismissed,
    () => false,
  );
  if (hidden) return null;
  return (
    <div
      role="note"
      className="flex items-start gap-2 border-b border-amber-200 bg-amber-50 py-1.5 pr-1.5 pl-4 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
    >
      <p className="min-w-0 flex-1 py-0.5">
        {t.rich('demo.text', {
          strong: (chunks) => <strong>{chunks}</strong>,
          code: (chunks) => <code>{chunks}</code>,
          // The explanation is left out on a phone.
          more: (chunks) => <span className="hidden sm:inline">{chunks}</span>,
        })}
      </p>
      <button
        type="button"
        aria-label={t('demo.dismiss')}
        title={t('demo.dismiss')}
        className="btn-ghost p-1 text-amber-950 hover:bg-amber-100 dark:text-amber-100 dark:hover:bg-amber-900"
        onClick={() => {
          writePreference('demo-banner-dismissed', '1');
          for (const l of listeners) l();
        }}
      >
        <CloseIcon />
      </button>
    </div>
  );
}
