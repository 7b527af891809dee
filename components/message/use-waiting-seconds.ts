'use client';
import { useEffect, useState } from 'react';

/**
 * Whole seconds a reply has waited for its first token, counting live while `waiting`. Counted
 * from `since` (when it was asked), or from when it left the queue when the server made it wait
 * for a place first (429): that wait was not the model's. A reconnect does not restart it.
 */
export function useWaitingSeconds(waiting: boolean, since: number, queued: boolean): number {
  const [from, setFrom] = useState(since);
  useEffect(() => (queued ? () => setFrom(Date.now()) : undefined), [queued]);
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!waiting) return;
    const tick = () => setSeconds(Math.max(0, Math.floor((Date.now() - from) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [waiting, from]);
  return waiting ? seconds : 0;
}
