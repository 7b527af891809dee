import { useTranslations } from 'next-intl';
import { errorView, waitText } from '@/lib/client/error-view';
import type { StoredMessage } from '@/lib/client/types';
import { AlertIcon } from '@/components/icons';

type StoredError = NonNullable<StoredMessage['error']>;

/**
 * A failed reply: what went wrong, in words the person chatting can act on, and how long to wait
 * before Retry can help. The countdown sits outside the alert, so screen readers hear the error
 * once, not every second.
 */
export function ErrorAlert({
  error,
  waitId,
  secondsLeft,
}: {
  error: StoredError;
  waitId: string;
  secondsLeft: number;
}) {
  const t = useTranslations();
  const view = errorView(error, t);
  return (
    <div className="mt-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      <div role="alert" className="flex items-start gap-2">
        <span className="mt-0.5 shrink-0">
          <AlertIcon />
        </span>
        <p>{view.text}</p>
      </div>
      {secondsLeft > 0 && (
        <p id={waitId} className="mt-1 pl-6 font-medium tabular-nums">
          {waitText(secondsLeft, t)}
        </p>
      )}
    </div>
  );
}
