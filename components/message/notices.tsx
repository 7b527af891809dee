'use client';
import { useOnline } from '@/hooks/use-media';
import { WifiOffIcon } from '@/components/message/icons';

/** The stream dropped and the browser is reconnecting: said plainly, with what will happen. */
export function ReconnectingNotice() {
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
        <strong className="font-semibold">Reconnecting…</strong>{' '}
        {online
          ? 'The connection to the server was lost. The reply will go on where it stopped.'
          : 'You are offline. The reply will continue when you are back online.'}
      </p>
    </div>
  );
}

/** A stopped reply: plainly "Stopped" after Stop, an explanation when nobody pressed it. */
export function StoppedNote({ reason }: { reason: 'user' | 'abandoned' | undefined }) {
  return (
    <p className="mt-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
      {reason === 'abandoned'
        ? 'Stopped: the page was closed, and the server stops a reply that no open page follows for a while. Continue picks it up from here.'
        : 'Stopped'}
    </p>
  );
}
