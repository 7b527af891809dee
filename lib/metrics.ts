import 'server-only';
/**
 * What an operator sees: Prometheus metrics (`GET /api/metrics`, text format
 * https://prometheus.io/docs/instrumenting/exposition_formats/) and one JSON log line per
 * finished reply, fed from the same few places:
 *
 * - the reply store's events (`instrument`, called once where the store is made): replies by
 *   finish reason and error code, tokens relayed, time to first token, the log line;
 * - the Redis hub's `onEvent` (`countHubEvent`): takeovers, hand-overs, leases lost;
 * - the reply runner (`startUpstreamTimer`): upstream request durations by outcome;
 * - on scrape: open replies, followers, Redis availability, the process (prom-client defaults).
 *
 * One registry per process, on globalThis: route bundles load their own copies of this module,
 * and a scrape must see what the chat routes counted.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinishReason, ReplyEvent } from '@/lib/chat/protocol';
import type { EndCause, Reply, ReplyStore } from '@/lib/streams/reply-store';
import type { ReplyHub } from '@/lib/streams/hub';
import type { RedisHub } from '@/lib/streams/redis-hub';
import { openFollowerCount } from '@/lib/streams/follow';
import { log } from '@/lib/log';

export type HubEvent = 'takeover' | 'handover' | 'lease_lost';
export type UpstreamOutcome = 'ok' | 'error' | 'aborted';

const FINISH_REASONS: FinishReason[] = ['stop', 'length', 'content_filter', 'stopped', 'error'];
const OUTCOMES: UpstreamOutcome[] = ['ok', 'error', 'aborted'];

export interface Metrics {
  readonly registry: Registry;
  readonly replies: Counter<'finish_reason'>;
  readonly replyErrors: Counter<'code'>;
  readonly ttft: Histogram;
  readonly upstream: Histogram<'outcome'>;
  readonly takeovers: Counter;
  readonly handovers: Counter;
  readonly leasesLost: Counter;
  /**
   * Tokens relayed since the last scrape. The per-token path adds to this integer, and a scrape
   * moves it into `streamchat_tokens_relayed_total`: prom-client's `inc()` allocates a labels
   * object on every call, which is not worth paying per token.
   */
  unscrapedTokens: number;
  /** What the scrape-time gauges read (set by `instrument`). */
  store: ReplyStore | undefined;
  hub: ReplyHub | undefined;
  followerCount: () => number;
}

/** A fresh registry with every metric (tests make their own; the app uses `metrics()`). */
export function createMetrics({ defaults = true }: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  // The process metrics under their usual names (process_*, nodejs_*), as dashboards expect.
  if (defaults) collectDefaultMetrics({ register: registry });

  const m: Metrics = {
    registry,
    replies: new Counter({
      name: 'streamchat_replies_total',
      help: 'Replies generated here that finished, by finish reason.',
      labelNames: ['finish_reason'],
      registers,
    }),
    replyErrors: new Counter({
      name: 'streamchat_reply_errors_total',
      help: 'Replies that ended with an error event, by its code.',
      labelNames: ['code'],
      registers,
    }),
    ttft: new Histogram({
      name: 'streamchat_time_to_first_token_seconds',
      help: 'From the creation of a reply to its first message event.',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    upstream: new Histogram({
      name: 'streamchat_upstream_request_duration_seconds',
      help: 'From the start of an upstream request (retries included) to the end of its body.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    takeovers: new Counter({
      name: 'streamchat_takeovers_total',
      help: 'Replies this instance carried on after their instance stopped (Redis).',
      registers,
    }),
    handovers: new Counter({
      name: 'streamchat_handovers_total',
      help: 'Running replies this instance handed to another while shutting down (Redis).',
      registers,
    }),
    leasesLost: new Counter({
      name: 'streamchat_leases_lost_total',
      help: 'Running replies whose lease another instance took (Redis).',
      registers,
    }),
    unscrapedTokens: 0,
    store: undefined,
    hub: undefined,
    followerCount: () => 0,
  };

  new Counter({
    name: 'streamchat_tokens_relayed_total',
    help: 'Message and reasoning deltas relayed from the upstream into replies.',
    registers,
    collect() {
      this.inc(m.unscrapedTokens);
      m.unscrapedTokens = 0;
    },
  });
  new Gauge({
    name: 'streamchat_open_replies',
    help: 'Replies running in this instance.',
    registers,
    collect() {
      this.set(m.store?.stats().running ?? 0);
    },
  });
  new Gauge({
    name: 'streamchat_followers',
    help: 'Open event-stream responses of this instance.',
    registers,
    collect() {
      this.set(m.followerCount());
    },
  });
  // Known label values start at 0, so that rate() sees their first increase.
  for (const finish_reason of FINISH_REASONS) m.replies.inc({ finish_reason }, 0);
  for (const outcome of OUTCOMES) m.upstream.zero({ outcome });
  return m;
}

const metricsKey = Symbol.for('streamchat.metrics');
type Holder = { [metricsKey]?: Metrics };

/** The process-wide metrics. */
export function metrics(): Metrics {
  const holder = globalThis as Holder;
  holder[metricsKey] ??= createMetrics();
  return holder[metricsKey];
}

/** What is known of a reply while it runs here (one object per reply, never per token). */
interface Tally {
  startedAt: number;
  /** When its first `message` event was appended; -1 before. */
  firstTokenAt: number;
  tokens: number;
  /** Taken over from another instance: its first token was not waited for here. */
  adopted: boolean;
  errorCode: string | undefined;
  cause: EndCause | undefined;
}

export interface InstrumentOptions {
  metrics?: Metrics;
  /** Milliseconds, monotonic (the tests pass their fake clock). */
  now?: () => number;
}

/**
 * Counts what happens in `store` (and, on scrape, reads it and `hub`), and logs each finished
 * reply as one line. Returns the unsubscribe.
 */
export function instrument(
  store: ReplyStore,
  hub?: ReplyHub,
  { metrics: m = metrics(), now = () => performance.now() }: InstrumentOptions = {},
): () => void {
  m.store = store;
  m.hub = hub;
  // The count of the follow.ts that serves this store's followers (the copy in the bundle that
  // made the store; another route's copy of the module would count none).
  m.followerCount = openFollowerCount;
  if (hub?.kind === 'redis' && !m.registry.getSingleMetric('streamchat_redis_up')) {
    // Only with Redis: without it there is nothing to be up or down.
    new Gauge({
      name: 'streamchat_redis_up',
      help: 'Whether the Redis command connection is ready (1) or not (0).',
      registers: [m.registry],
      collect() {
        this.set((m.hub as RedisHub | undefined)?.available ? 1 : 0);
      },
    });
  }
  const tallies = new WeakMap<Reply, Tally>();
  return store.subscribe({
    created(reply) {
      tallies.set(reply, {
        startedAt: now(),
        firstTokenAt: -1,
        tokens: 0,
        // A new reply has no frames yet (its `meta` comes after this); an adopted one has them.
        adopted: reply.lastEventId > 0,
        errorCode: undefined,
        cause: undefined,
      });
    },
    appended(reply, _frame, event: ReplyEvent) {
      // Once per token: integer adds and one WeakMap lookup, nothing allocated.
      const name = event.event;
      if (name === 'message' || name === 'reasoning') {
        m.unscrapedTokens++;
        const tally = tallies.get(reply);
        if (tally === undefined) return;
        tally.tokens++;
        if (tally.firstTokenAt < 0 && name === 'message') {
          tally.firstTokenAt = now();
          if (!tally.adopted) m.ttft.observe((tally.firstTokenAt - tally.startedAt) / 1000);
        }
      } else if (name === 'error') {
        m.replyErrors.inc({ code: event.data.code });
        const tally = tallies.get(reply);
        if (tally) tally.errorCode = event.data.code;
      }
    },
    finished(reply) {
      const finishReason = reply.finishReason ?? 'stop';
      m.replies.inc({ finish_reason: finishReason });
      const tally = tallies.get(reply);
      const endedAt = now();
      // A reply ended from outside (stop, grace, limits, shutdown) tells its cause right after
      // this, in the same turn: the line waits for it, so that one line says everything.
      queueMicrotask(() =>
        log.info('reply finished', {
          id: reply.id,
          model: reply.model,
          finishReason,
          cause: tally?.cause,
          errorCode: tally?.errorCode,
          ttftMs:
            tally && !tally.adopted && tally.firstTokenAt >= 0
              ? Math.round(tally.firstTokenAt - tally.startedAt)
              : undefined,
          tokens: tally?.tokens ?? 0,
          durationMs: tally ? Math.round(endedAt - tally.startedAt) : undefined,
          takenOver: tally?.adopted || undefined,
        }),
      );
    },
    ended(reply, cause) {
      const tally = tallies.get(reply);
      if (tally) tally.cause = cause;
    },
  });
}

/** The Redis hub's takeovers and hand-overs (its `onEvent` option). */
export function countHubEvent(event: HubEvent): void {
  const m = metrics();
  if (event === 'takeover') m.takeovers.inc();
  else if (event === 'handover') m.handovers.inc();
  else m.leasesLost.inc();
}

/**
 * Starts timing one upstream request; call the result when its body has ended (only the first
 * call counts). `aborted`: this side ended it (a stop, an abandoned reply, the reply's deadline,
 * a hand-over).
 */
export function startUpstreamTimer(): (outcome: UpstreamOutcome) => void {
  let end: ((labels: { outcome: UpstreamOutcome }) => number) | undefined =
    metrics().upstream.startTimer();
  return (outcome) => {
    end?.({ outcome });
    end = undefined;
  };
}
