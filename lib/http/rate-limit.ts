import 'server-only';
/**
 * Rate limits per client: replies created per minute (fixed one-minute windows) and replies
 * open at once. In memory by default; in Redis (shared by all instances) when REDIS_URL is set.
 * A refusal is a 429 with Retry-After.
 */
import type { Redis } from 'ioredis';
import { apiError, type ApiError } from '@/lib/http/api-error';

export interface Limits {
  perMinute: number;
  concurrent: number;
}

export interface RateLimiter {
  /** Counts a new reply for `key`; throws a 429 ApiError when over a limit. */
  begin(key: string): Promise<void>;
  /** The reply ended: frees its concurrency slot. */
  end(key: string): Promise<void>;
}

function limited(message: string, retryAfter: number): ApiError {
  return apiError('rate_limited', message, {
    'Retry-After': String(Math.max(1, retryAfter)),
  });
}

const WINDOW_MS = 60_000;

export function memoryRateLimiter(limits: Limits, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const open = new Map<string, number>();
  return {
    async begin(key) {
      const t = now();
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (t - w.start >= WINDOW_MS) windows.delete(k);
      }
      let w = windows.get(key);
      if (!w || t - w.start >= WINDOW_MS) {
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      if (limits.perMinute > 0 && w.count >= limits.perMinute) {
        throw limited(
          `Too many replies: at most ${limits.perMinute} per minute.`,
          Math.ceil((w.start + WINDOW_MS - t) / 1000),
        );
      }
      const running = open.get(key) ?? 0;
      if (limits.concurrent > 0 && running >= limits.concurrent) {
        throw limited(`Too many replies at once: at most ${limits.concurrent}.`, 5);
      }
      w.count++;
      open.set(key, running + 1);
    },
    async end(key) {
      const running = (open.get(key) ?? 1) - 1;
      if (running <= 0) open.delete(key);
      else open.set(key, running);
    },
  };
}

export function redisRateLimiter(
  redis: Redis,
  limits: Limits,
  prefix: string,
  maxReplyMs: number,
): RateLimiter {
  return {
    async begin(key) {
      const window = Math.floor(Date.now() / WINDOW_MS);
      const countKey = `${prefix}rl:${key}:${window}`;
      const openKey = `${prefix}rc:${key}`;
      const [[, count], , [, running]] = (await redis
        .multi()
        .incr(countKey)
        .pexpire(countKey, WINDOW_MS)
        .incr(openKey)
        .pexpire(openKey, maxReplyMs)
        .exec()) as [[null, number], unknown, [null, number], unknown];
      // A refused request counts for nothing: take both increments back.
      const refuse = () => redis.multi().decr(countKey).decr(openKey).exec();
      if (limits.perMinute > 0 && count > limits.perMinute) {
        await refuse();
        throw limited(
          `Too many replies: at most ${limits.perMinute} per minute.`,
          Math.ceil(((window + 1) * WINDOW_MS - Date.now()) / 1000),
        );
      }
      if (limits.concurrent > 0 && running > limits.concurrent) {
        await refuse();
        throw limited(`Too many replies at once: at most ${limits.concurrent}.`, 5);
      }
    },
    async end(key) {
      await redis.decr(`${prefix}rc:${key}`).catch(() => {});
    },
  };
}
