/**
 * next-intl's request configuration (found by the plugin in next.config.mjs): the locale of this
 * request, from the language cookie or Accept-Language, and only that locale's messages
 * (precompiled at build time), so the page carries one language.
 */
import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, resolveLocale } from './locales';

export default getRequestConfig(async () => {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const locale = resolveLocale(
    cookieStore.get(LOCALE_COOKIE)?.value,
    headerList.get('accept-language'),
  );
  return {
    locale,
    messages: (await import(`../messages/${locale}.json`)).default,
  };
});
