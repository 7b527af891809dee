import { memo } from 'react';
import { useLocale } from 'next-intl';

/** The three formats of a locale, made once (every message shows a time). */
const formats = new Map<string, Record<'time' | 'dayAndTime' | 'full', Intl.DateTimeFormat>>();
function formatsOf(locale: string) {
  let f = formats.get(locale);
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }),
      dayAndTime: new Intl.DateTimeFormat(locale, {
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
      }),
      full: new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' }),
    };
    formats.set(locale, f);
  }
  return f;
}

/** When a message was written: the time (with the day if not today), the full date as its title. */
export const MessageTime = memo(function MessageTime({ at }: { at: number }) {
  const f = formatsOf(useLocale());
  const date = new Date(at);
  const today = date.toDateString() === new Date().toDateString();
  return (
    <time
      dateTime={date.toISOString()}
      title={f.full.format(date)}
      className="px-1 text-xs whitespace-nowrap text-zinc-600 tabular-nums dark:text-zinc-400"
    >
      {(today ? f.time : f.dayAndTime).format(date)}
    </time>
  );
});
