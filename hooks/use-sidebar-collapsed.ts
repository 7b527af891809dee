'use client';
import { useCallback, useSyncExternalStore } from 'react';

/**
 * Whether the sidebar is hidden on wide screens (the phone layout has its drawer instead),
 * remembered in localStorage and followed by other tabs.
 */
const KEY = 'sidebar-collapsed';
const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => e.key === KEY && listener();
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useSidebarCollapsed() {
  const collapsed = useSyncExternalStore(subscribe, read, () => false);
  const setCollapsed = useCallback((next: boolean) => {
    try {
      if (next) localStorage.setItem(KEY, '1');
      else localStorage.removeItem(KEY);
    } catch {
      // Storage refused (private mode): the choice lasts until the page goes away.
    }
    for (const l of listeners) l();
    // The button that was pressed is gone: focus its counterpart (Show ↔ Hide).
    requestAnimationFrame(() =>
      document
        .querySelector<HTMLElement>(`[data-sidebar-toggle="${next ? 'show' : 'hide'}"]`)
        ?.focus(),
    );
  }, []);
  return [collapsed, setCollapsed] as const;
}
