/**
 * The languages of the interface. Adding one is adding its messages/<locale>.json and one entry
 * here (a unit test checks that every file has the same keys and placeholders as English).
 * No locale in the URL: the page's hash names the chat. A person's choice is a cookie; without
 * one, the browser's Accept-Language chooses. Pure: read by the server (i18n/request.ts) and by
 * the language setting in the browser.
 */
export const LOCALES = [
  // `match`: the primary language subtag of Accept-Language entries this locale answers.
  { code: 'en', name: 'English', match: 'en' },
  { code: 'zh-CN', name: '中文', match: 'zh' },
] as const;

export type Locale = (typeof LOCALES)[number]['code'];

export const DEFAULT_LOCALE: Locale = 'en';

/** The cookie that holds the language chosen in Settings (absent: automatic). */
export const LOCALE_COOKIE = 'locale';

export function isLocale(value: unknown): value is Locale {
  return LOCALES.some((l) => l.code === value);
}

/**
 * The locale for an Accept-Language header: its languages by preference (q), the first one
 * that a locale answers (any `zh…` gives zh-CN), else English.
 */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim().toLowerCase(), q: Number.isFinite(weight) ? weight : 0, i };
    })
    .filter((e) => e.tag && e.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    const found = LOCALES.find((l) => l.match === primary);
    if (found) return found.code;
  }
  return DEFAULT_LOCALE;
}

/** The cookie's choice when it names a locale, else the browser's languages. */
export function resolveLocale(
  cookie: string | undefined,
  acceptLanguage: string | null | undefined,
): Locale {
  return isLocale(cookie) ? cookie : localeFromAcceptLanguage(acceptLanguage);
}
