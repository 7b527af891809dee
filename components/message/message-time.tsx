import { memo } from 'react';

const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const DAY_AND_TIME = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/** When a message was written: the time (with the day if not today), the full date as its title. */
export const MessageTime = memo(function MessageTime({ at }: { at: number }) {
  const date = new Date(at);
  const today = date.toDateString() === new Date().toDateString();
  return (
    <time
      dateTime={date.toISOString()}
      title={FULL.format(date)}
      className="px-1 text-xs whitespace-nowrap text-zinc-600 tabular-nums dark:text-zinc-400"
    >
      {(today ? TIME : DAY_AND_TIME).format(date)}
    </time>
  );
});
