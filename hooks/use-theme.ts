'use client';
import { useCallback, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark' | 'system';
const KEY = 'theme';
const listeners = new Set<() => void>();

function read(): Theme {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** Applies a theme to <html>; the same logic runs before hydration in THEME_SCRIPT. */
function apply(theme: Theme) {
  const dark =
    theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

export function useTheme() {
  const theme = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      const media = matchMedia('(prefers-color-scheme: dark)');
      const onMedia = () => apply(read());
      // Another tab changed the theme: follow it.
      const onStorage = (e: StorageEvent) => {
        if (e.key !== KEY && e.key !== null) return;
        apply(read());
        l();
      };
      media.addEventListener('change', onMedia);
      window.addEventListener('storage', onStorage);
      return () => {
        listeners.delete(l);
        media.removeEventListener('change', onMedia);
        window.removeEventListener('storage', onStorage);
      };
    },
    read,
    () => 'system' as Theme,
  );
  const setTheme = useCallback((next: Theme) => {
    if (next === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
    apply(next);
    for (const l of listeners) l();
  }, []);
  return { theme, setTheme };
}
