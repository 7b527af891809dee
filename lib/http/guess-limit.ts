/**
 * How fast the access code can be guessed. Every wrong code (at /api/access, or as a bearer
 * token or cookie on any route) counts against the address it came from and against everyone:
 *
 * - per address: after `perAddress` wrong codes in a minute, that address waits for the minute
 *   to end;
 * - globally: after `global` wrong codes in a minute from all addresses together, every attempt
 *   from anywhere is slowed to one per `slowMs`, so rotating addresses (or forging headers, where
 *   they are trusted) gains nothing, while a person with the right code still gets in after a
 *   short wait.
 *
 * Memory only: with several instances each counts its own (the bound is per instance).
 */
import { apiError } from '@/lib/http/api-error';

export interface GuessLimits {
  perAddress: number;
  global: number;
  slowMs: number;
}

export interface GuessLimiter {
  /** Throws a 429 when `address` may not try a code now. */
  check(address: string): void;
  /** A wrong code came from `address`. */
  failed(address: string): void;
}

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export function guessLimiter(limits: GuessLimits, now: () => number = Date.now): GuessLimiter {
  let windowStart = now();
  let globalFailures = 0;
  let lastSlowAttempt = -Infinity;
  const failures = new Map<string, number>();

  const roll = (t: number) => {
    if (t - windowStart < WINDOW_MS) return;
    windowStart = t - ((t - windowStart) % WINDOW_MS);
    globalFailures = 0;
    failures.clear();
  };
  const refuse = (seconds: number) =>
    apiError('rate_limited', 'Too many wrong access codes. Try again in a moment.', {
      'Retry-After': String(Math.max(1, Math.ceil(seconds))),
    });

  return {
    check(address) {
      const t = now();
      roll(t);
      const windowLeft = (windowStart + WINDOW_MS - t) / 1000;
      if ((failures.get(address) ?? 0) >= limits.perAddress) throw refuse(windowLeft);
      if (globalFailures >= limits.global) {
        const wait = lastSlowAttempt + limits.slowMs - t;
        if (wait > 0) throw refuse(wait / 1000);
        lastSlowAttempt = t;
      }
    },
    failed(address) {
      roll(now());
      globalFailures++;
      // Past this many addresses in one minute the global slow-down is on anyway.
      if (failures.size < MAX_TRACKED || failures.has(address)) {
        failures.set(address, (failures.get(address) ?? 0) + 1);
      }
    },
  };
}
