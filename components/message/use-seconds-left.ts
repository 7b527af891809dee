'use client';
import { useEffect, useState } from 'react';

/**
 * Whole seconds until `until` (epoch ms), counting down live; 0 once it has passed or when there
 * is no wait. Ticks only while there is something to count.
 */
export function useSecondsLeft(until: number | undefined): number {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (until === undefined) return;
    const tick = () => {
      const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      setLeft(seconds);
      return seconds;
    };
    if (tick() === 0) return;
    const timer = setInterval(() => {
      if (tick() === 0) clearInterval(timer);
    }, 250);
    return () => {
      clearInterval(timer);
      setLeft(0);
    };
  }, [until]);
  return until === undefined ? 0 : left;
}
