import 'server-only';
/**
 * What the route handlers call: start a reply, follow one, stop one. It owns the process-wide
 * reply store (on globalThis, so every route bundle and hot reload share one).
 */
import { getEnv } from '@/lib/env';
import { ApiError, apiError } from '@/lib/http/api-error';
import { ReplyStore, StoreFullError, type Reply } from '@/lib/streams/reply-store';
import { streamToFollower, type FollowerRegistry } from '@/lib/streams/follow';
import { memoryHub, type ReplyHub } from '@/lib/streams/hub';
import { RedisHub } from '@/lib/streams/redis-hub';
import { memoryRateLimiter, redisRateLimiter, type RateLimiter } from '@/lib/http/rate-limit';
import { isDraining } from '@/lib/shutdown';
import { runReply } from '@/lib/chat/run-reply';
import { contextTokensOf, resolveModel } from '@/lib/llm/models';
import { countTokens, fitToWindow } from '@/lib/chat/context';
import { continuedParams, storedParams } from '@/lib/chat/carry-on';
import type { Carried } from '@/lib/streams/takeover';
import type { ChatRequestBody, GenerationParams } from '@/lib/chat/request';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { log } from '@/lib/log';
import { dropConnection } from '@/lib/http/connections';
import { countHubEvent, instrument } from '@/lib/metrics';

const hubKey = Symbol.for('streamchat.hub');
const limiterKey = Symbol.for('streamchat.limiter');
type Holder = { [hubKey]?: ReplyHub; [limiterKey]?: RateLimiter };

/** How long a request waits for a Redis connection that is still being made (a cold start). */
const READY_WAIT_MS = 2_000;

/**
 * The process-wide reply hub: the local store, and around it nothing (in memory) or Redis when
 * REDIS_URL is set. The store is made first; the hub listens to it.
 */
export function getHub(): ReplyHub {
  const holder = globalThis as Holder;
  if (!holder[hubKey]) {
    const env = getEnv();
    const store = new ReplyStore({
      graceMs: env.REPLY_GRACE_MS,
      ttlMs: env.REPLY_TTL_MS,
      maxReplyBytes: env.REPLY_MAX_BYTES,
      maxBytes: env.STORE_MAX_BYTES,
      maxReplies: env.STORE_MAX_REPLIES,
      honourLeave: env.REPLY_LEAVE === 'on' || (env.REPLY_LEAVE === 'auto' && !!process.env.VERCEL),
    });
    const hub = env.REDIS_URL
      ? new RedisHub(store, {
          url: env.REDIS_URL,
          prefix: env.REDIS_PREFIX,
          graceMs: env.REPLY_GRACE_MS,
          ttlMs: env.REPLY_TTL_MS,
          maxLifeMs: env.REPLY_MAX_DURATION_MS + env.REPLY_TTL_MS,
          leaseMs: env.REPLY_LEASE_MS,
          accepting: () => !isDraining(),
          carryOn: (reply, carried) => void carryOn(store, reply, carried),
          onEvent: countHubEvent,
          log: (message, fields) => log.warn(message, fields),
        })
      : memoryHub(store);
    // Metrics and the log line of each finished reply (with its cause, when ended from outside).
    instrument(store, hub);
    holder[hubKey] = hub;
  }
  return holder[hubKey];
}

/** Rate limits: shared through Redis when the hub is, else in memory. */
export function getLimiter(): RateLimiter {
  const holder = globalThis as Holder;
  if (!holder[limiterKey]) {
    const env = getEnv();
    const redis = getHub().redis;
    const limits = { perMinute: env.RATE_LIMIT_PER_MINUTE, concurrent: env.RATE_LIMIT_CONCURRENT };
    holder[limiterKey] = redis
      ? redisRateLimiter(redis, limits, env.REDIS_PREFIX, env.REPLY_MAX_DURATION_MS + 60_000)
      : memoryRateLimiter(limits);
  }
  return holder[limiterKey];
}

export function getStore(): ReplyStore {
  return getHub().local;
}

/** Streams the upstream into `reply` (a new one, or one carried on from another instance). */
function generate(
  store: ReplyStore,
  reply: Reply,
  messages: unknown[],
  params?: GenerationParams,
): Promise<void> {
  // Validated by the request schema: text or text and image parts, in the SDK's own form.
  return runReply(store, reply, messages as ChatCompletionMessageParam[], {
    maxDurationMs: getEnv().REPLY_MAX_DURATION_MS,
    params,
  });
}

/**
 * Streams the rest of a reply taken over from a stopped instance, with the settings it was asked
 * with; a longest-answer setting counts the answer so far.
 */
async function carryOn(store: ReplyStore, reply: Reply, carried: Carried): Promise<void> {
  const asked = storedParams(carried.params);
  let params: GenerationParams | 'exhausted' | undefined = asked;
  if (asked?.maxTokens !== undefined) {
    params = continuedParams(asked, await countTokens(carried.text).catch(() => 0));
  }
  if (params === 'exhausted') {
    store.append(reply, { event: 'close', data: { finishReason: 'length' } });
    return;
  }
  await generate(store, reply, carried.messages, params);
}

/** The hub, once it can be used: a connection still being made is waited for, briefly. */
export async function readyHub(): Promise<ReplyHub> {
  const hub = getHub();
  if (!(await hub.ready(READY_WAIT_MS))) throw apiError('store_unavailable');
  return hub;
}

/**
 * Validates the model, counts the reply against the client's limits and starts generating; the
 * reply is followed separately (or, in one-request mode, by the same response).
 */
export async function startReply(body: ChatRequestBody, client: string): Promise<Reply> {
  const env = getEnv();
  if (isDraining()) throw apiError('shutting_down');
  // The allow-list, or the models the upstream lists (lib/llm/models.ts).
  const model = await resolveModel(body.model);
  if (model === undefined) {
    throw apiError(
      'unknown_model',
      `Unknown model "${(body.model ?? '').slice(0, 100)}". GET /api/models lists the models.`,
    );
  }
  // Fitted to the model's context window: the oldest messages left out, and said so in `meta`.
  const reserve = body.params?.maxTokens ?? env.CONTEXT_RESERVE_TOKENS;
  const fitted = await fitToWindow(body.messages, await contextTokensOf(model), reserve);
  if (!fitted.ok) throw apiError('context_too_long');
  const hub = await readyHub();
  const limiter = getLimiter();
  try {
    await limiter.begin(client);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw apiError('store_unavailable');
  }
  let reply: Reply;
  try {
    reply = hub.local.create(model, {
      heartbeatMs: env.HEARTBEAT_MS,
      ...(fitted.omitted > 0 && { omittedMessages: fitted.omitted }),
    });
  } catch (error) {
    void limiter.end(client);
    if (error instanceof StoreFullError) throw apiError('overloaded');
    throw error;
  }
  reply.request = fitted.messages;
  reply.params = body.params;
  void generate(hub.local, reply, fitted.messages, body.params).finally(
    () => void limiter.end(client),
  );
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
  const body = streamToFollower(registry, reply, after, {
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
    throw apiError('invalid_last_event_id');
  }
  return Number(raw.trim());
}

/** Reply ids are 24 URL-safe characters; anything else is unknown without asking the store. */
export function isReplyId(id: string): boolean {
  return /^[A-Za-z0-9_-]{16,64}$/.test(id);
}

export function notFound(): ApiError {
  return apiError('not_found');
}
