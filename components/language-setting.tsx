'use client';
import { useId, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { LOCALES, LOCALE_COOKIE, isLocale } from '@/i18n/locales';

const YEAR_S = 365 * 24 * 3600;

/** The language chosen in this browser ('' : automatic, from the browser's languages). */
function chosen(): string {
  const value = document.cookie
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${LOCALE_COOKIE}=`))
    ?.slice(LOCALE_COOKIE.length + 1);
  return isLocale(value) ? value : '';
}

/**
 * The interface's language: automatic (the browser's Accept-Language), or one chosen here. The
 * choice is a cookie, so the server renders the next page in it from the first byte; the page
 * is rendered again at once (a router refresh keeps the chat and what is being typed).
 */
export function LanguageSetting() {
  const t = useTranslations();
  const id = useId();
  const router = useRouter();
  const [choice, setChoice] = useState(chosen);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <label htmlFor={id} className="font-medium">
        {t('settings.language')}
      </label>
      <select
        id={id}
        className="field w-auto"
        value={choice}
        aria-busy={pending || undefined}
        onChange={(e) => {
          const value = e.target.value;
          setChoice(value);
          const secure = location.protocol === 'https:' ? '; secure' : '';
          document.cookie = value
            ? `${LOCALE_COOKIE}=${value}; path=/; max-age=${YEAR_S}; samesite=lax${secure}`
            : `${LOCALE_COOKIE}=; path=/; max-age=0; samesite=lax${secure}`;
          startTransition(() => router.refresh());
        }}
      >
        <option value="">{t('settings.automatic')}</option>
        {LOCALES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </div>
  );
}
