'use client';
import { useTheme, type Theme } from '@/hooks/use-theme';

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Cycles system → light → dark; the name says what is in effect. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  return (
    <button
      type="button"
      onClick={() => setTheme(NEXT[theme])}
      aria-label={`Theme: ${LABEL[theme]}`}
      title="Change theme"
      className="btn-ghost"
    >
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
      <span className="hidden sm:inline">{LABEL[theme]}</span>
    </button>
  );
}
