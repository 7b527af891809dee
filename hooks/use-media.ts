'use client';
/**
 * Two facts about the device that the message box and the replies adapt to, read with
 * `useSyncExternalStore` (false / true on the server, the real value after hydration).
 */
import { useSyncExternalStore } from 'react';

const COARSE = '(pointer: coarse)';

function subscribeCoarse(onChange: () => void) {
  const media = matchMedia(COARSE);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

/**
 * A touch screen is the main pointer: its keyboard has no Shift+Enter to speak of, so Enter adds
 * a line and the Send button sends (as in ChatGPT's and Claude's apps).
 */
export function useCoarsePointer(): boolean {
  return useSyncExternalStore(
    subscribeCoarse,
    () => matchMedia(COARSE).matches,
    () => false,
  );
}

function subscribeOnline(onChange: () => void) {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** `navigator.onLine`: false means surely offline (true only means a network is there). */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}
