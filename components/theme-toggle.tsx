'use client';
import { useTranslations } from 'next-intl';
import { useTheme, type Theme } from '@/hooks/use-theme';

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };

/** Cycles system → light → dark; the name says what is in effect. */
export function ThemeToggle() {
  const t = useTranslations();
  const { theme, setTheme } = useTheme();
  const label = t(`theme.${theme}`);
  return (
    <button
      type="button"
      onClick={() => setTheme(NEXT[theme])}
      aria-label={t('theme.label', { theme: label })}
      title={t('theme.change')}
      className="btn-ghost"
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
      <span className="hidden sm:inline">{label}</span>
    </button>
  );
}
