'use client';
import { useSyncExternalStore } from 'react';
import { useOnline } from '@/hooks/use-media';
import { chatStore, getServerSnapshot, streamingTitles } from '@/lib/client/store';
import { useSecondsLeft } from '@/components/message/use-seconds-left';
import { WifiOffIcon } from '@/components/icons';

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
        ? 'Stopped by the server: no open page followed this reply for a while (the page was closed, or the connection was lost). Continue picks it up from here.'
        : 'Stopped'}
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
  const seconds = useSecondsLeft(waiting.until);
  const running = useRunningTitles();
  return (
    <div
      role="status"
      className="mt-2 rounded-lg border border-zinc-300 bg-zinc-50 px-3 py-2 text-sm text-zinc-800 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200"
    >
      <p>
        <strong className="font-semibold">Waiting to start.</strong> {waiting.reason}
      </p>
      {running.length > 0 && (
        <p className="mt-1">
          Running in this browser ({running.length}):{' '}
          {running.map((title) => `“${title}”`).join(', ')}.
        </p>
      )}
      <p className="mt-1 tabular-nums">
        It starts by itself when one of them ends
        {seconds > 0 ? `, or in ${seconds} s` : ''}. Stop cancels it.
      </p>
    </div>
  );
}

/** The server left the earliest messages out so that the conversation fits the model. */
export function OmittedNote({ count }: { count: number }) {
  return (
    <p
      role="note"
      className="mb-2 flex items-center gap-2 text-xs text-zinc-600 before:h-px before:flex-1 before:bg-zinc-300 after:h-px after:flex-1 after:bg-zinc-300 dark:text-zinc-400 dark:before:bg-zinc-700 dark:after:bg-zinc-700"
    >
      {count === 1
        ? 'The earliest message was left out to fit the model.'
        : `${count} earlier messages were left out to fit the model.`}
    </p>
  );
}
