'use client';
import { useEffect } from 'react';

/**
 * Keeps the screen on while `on` (a reply streams): a phone would otherwise dim and lock in the
 * middle of a long answer. Screen Wake Lock is released when `on` ends or the tab hides (the
 * browser releases it there anyway) and asked for again when the tab shows while still `on`.
 * Where the API is missing or the request is refused (battery saver, a policy), nothing happens.
 */
export function useWakeLock(on: boolean) {
  useEffect(() => {
    if (!on || !('wakeLock' in navigator)) return;
    let lock: WakeLockSentinel | null = null;
    let asking = false;
    let done = false;
    const release = () => {
      const held = lock;
      lock = null;
      void held?.release().catch(() => {});
    };
    const request = () => {
      if (lock || asking || document.hidden) return;
      asking = true;
      navigator.wakeLock.request('screen').then(
        (sentinel) => {
          asking = false;
          if (done || document.hidden) return void sentinel.release().catch(() => {});
          lock = sentinel;
          // Released by the browser (the tab hid, the system took it back): asked again on show.
          sentinel.addEventListener('release', () => {
            if (lock === sentinel) lock = null;
          });
        },
        () => {
          asking = false;
        },
      );
    };
    const onVisibility = () => (document.hidden ? release() : request());
    request();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      done = true;
      document.removeEventListener('visibilitychange', onVisibility);
      release();
    };
  }, [on]);
}
