/**
 * Groups the conversations list by last activity the way chat apps do: Today, Yesterday,
 * Previous 7 days, Previous 30 days, then one group per calendar month ("October 2026"). Days
 * are the person's local calendar days, not 24-hour windows, so "Yesterday" means yesterday.
 * The labels are said in the active language (`t`), months named by `locale`.
 */
import type { Translate } from '@/lib/client/translate';

export interface DateGroup<T> {
  label: string;
  items: T[];
}

const DAY = 86_400_000;

function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The group label for a time, relative to `now`; `locale` names the months. */
export function dateGroupLabel(time: number, now: number, t: Translate, locale: string): string {
  const today = startOfDay(now);
  if (time >= today) return t('dates.today'); // a clock running slightly ahead still counts as today
  // Calendar days back (rounding absorbs the hour lost or gained at a daylight-saving change).
  const days = Math.round((today - startOfDay(time)) / DAY);
  if (days <= 1) return t('dates.yesterday');
  if (days <= 7) return t('dates.previous7');
  if (days <= 30) return t('dates.previous30');
  return monthFormat(locale).format(time);
}

// The list regroups on every streamed flush: building an Intl formatter per row each time costs.
const formats = new Map<string, Intl.DateTimeFormat>();
function monthFormat(locale: string): Intl.DateTimeFormat {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' });
    formats.set(locale, format);
  }
  return format;
}

/** Splits a list already sorted newest first into consecutive groups, keeping its order. */
export function groupByDate<T>(
  items: readonly T[],
  timeOf: (item: T) => number,
  now: number,
  t: Translate,
  locale: string,
): DateGroup<T>[] {
  const groups: DateGroup<T>[] = [];
  for (const item of items) {
    const label = dateGroupLabel(timeOf(item), now, t, locale);
    const last = groups.at(-1);
    if (last?.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}
