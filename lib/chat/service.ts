import 'server-only';
/**
 * What the route handlers call: start a reply, follow one, stop one. It owns the process-wide
 * reply store (on globalThis, so every route bundle and hot reload share one).
 */
import { getEnv } from '@/lib/env';
import { ApiError } from '@/lib/http/api-error';
import { ReplyStore, StoreFullError, type Reply } from '@/lib/streams/reply-store';
import { followReply, type FollowerRegistry } from '@/lib/streams/follow';
import { memoryHub, type ReplyHub } from '@/lib/streams/hub';
import { RedisHub } from '@/lib/streams/redis-hub';
import { memoryRateLimiter, redisRateLimiter, type RateLimiter } from '@/lib/http/rate-limit';
import { isDraining } from '@/lib/shutdown';
import { runReply } from '@/lib/chat/run-reply';
import type { ChatRequestBody } from '@/lib/chat/request';
import { log } from '@/lib/log';
import { dropConnection } from '@/lib/http/connections';

const hubKey = Symbol.for('streamchat.hub');
const limiterKey = Symbol.for('streamchat.limiter');
type Holder = { [hubKey]?: ReplyHub; [limiterKey]?: RateLimiter };

/** The process-wide reply hub: in memory, or Redis when REDIS_URL is set. */
export function getHub(): ReplyHub {
  const holder = globalThis as Holder;
  if (!holder[hubKey]) {
    const env = getEnv();
    const redis = env.REDIS_URL
      ? new RedisHub({
          url: env.REDIS_URL,
          prefix: env.REDIS_PREFIX,
          graceMs: env.REPLY_GRACE_MS,
          ttlMs: env.REPLY_TTL_MS,
          maxLifeMs: env.REPLY_MAX_DURATION_MS + env.REPLY_TTL_MS,
          log: (message, fields) => log.warn(message, fields),
        })
      : undefined;
    const store = new ReplyStore(
      {
        graceMs: env.REPLY_GRACE_MS,
        ttlMs: env.REPLY_TTL_MS,
        maxReplyBytes: env.REPLY_MAX_BYTES,
        maxBytes: env.STORE_MAX_BYTES,
        maxReplies: env.STORE_MAX_REPLIES,
        keepAlive: redis?.keepAlive,
        honourLeave:
          env.REPLY_LEAVE === 'on' || (env.REPLY_LEAVE === 'auto' && !!process.env.VERCEL),
        onFrame: redis?.onFrame,
      },
      (reply, cause) => log.info('reply ended', { id: reply.id, cause }),
    );
    if (redis) redis.attachStore(store);
    holder[hubKey] = redis ?? memoryHub(store);
  }
  return holder[hubKey];
}

/** Rate limits: shared through Redis when the hub is, else in memory. */
export function getLimiter(): RateLimiter {
  const holder = globalThis as Holder;
  if (!holder[limiterKey]) {
    const env = getEnv();
    const hub = getHub();
    const limits = { perMinute: env.RATE_LIMIT_PER_MINUTE, concurrent: env.RATE_LIMIT_CONCURRENT };
    holder[limiterKey] =
      hub instanceof RedisHub
        ? redisRateLimiter(hub.client, limits, env.REDIS_PREFIX, env.REPLY_MAX_DURATION_MS + 60_000)
        : memoryRateLimiter(limits);
  }
  return holder[limiterKey];
}

export function getStore(): ReplyStore {
  return getHub().local;
}

/**
 * Validates the model, counts the reply against the client's limits and starts generating; the
 * reply is followed separately (or, in one-request mode, by the same response).
 */
export async function startReply(body: ChatRequestBody, client: string): Promise<Reply> {
  const env = getEnv();
  if (isDraining()) {
    throw new ApiError(503, 'shutting_down', 'The server is restarting. Try again in a moment.', {
      'Retry-After': '5',
    });
  }
  const model = body.model ?? env.defaultModel;
  if (!env.models.includes(model)) {
    throw new ApiError(
      400,
      'unknown_model',
      `Unknown model "${model.slice(0, 100)}". GET /api/models lists the models.`,
    );
  }
  const hub = getHub();
  if (hub instanceof RedisHub && !hub.available) {
    throw new ApiError(
      503,
      'store_unavailable',
      'The reply store is unreachable. Try again shortly.',
      {
        'Retry-After': '5',
      },
    );
  }
  const limiter = getLimiter();
  try {
    await limiter.begin(client);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      503,
      'store_unavailable',
      'The reply store is unreachable. Try again shortly.',
      {
        'Retry-After': '5',
      },
    );
  }
  let reply: Reply;
  try {
    reply = getStore().create(model);
  } catch (error) {
    void limiter.end(client);
    if (error instanceof StoreFullError) {
      throw new ApiError(
        503,
        'overloaded',
        'The server is holding too many replies. Try again shortly.',
        {
          'Retry-After': '5',
        },
      );
    }
    throw error;
  }
  void runReply(getStore(), reply, body.messages, {
    maxDurationMs: env.REPLY_MAX_DURATION_MS,
  }).finally(() => void limiter.end(client));
  return reply;
}

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform: proxies and Next's own compression must pass events through untouched.
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
} as const;

/** The SSE response for a reply, starting after event `after`, to the client of `request`. */
export function replyStreamResponse(
  reply: Reply,
  after: number,
  request: Request,
  { owner = false, registry = getStore() as FollowerRegistry } = {},
): Response {
  const env = getEnv();
  const body = followReply(registry, reply, after, {
    retryMs: env.SSE_RETRY_MS,
    heartbeatMs: env.HEARTBEAT_MS,
    stallMs: env.CLIENT_STALL_TIMEOUT_MS,
    dropConnection: () => dropConnection(request),
    signal: request.signal,
    owner,
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

/** Parses `Last-Event-ID` (header first, as EventSource sends it) or `?lastEventId=`. */
export function parseLastEventId(request: Request): number {
  const raw =
    request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new ApiError(
      400,
      'invalid_last_event_id',
      'Last-Event-ID must be a non-negative integer.',
    );
  }
  return Number(raw.trim());
}

/** Reply ids are 24 URL-safe characters; anything else is unknown without asking the store. */
export function isReplyId(id: string): boolean {
  return /^[A-Za-z0-9_-]{16,64}$/.test(id);
}

export function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'No reply with this id (it may have expired).');
}
