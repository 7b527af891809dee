import 'server-only';
import { z } from 'zod';
import proxyaddr from 'proxy-addr';

/**
 * All configuration, read and validated once. A bad value fails fast with a message that names
 * the variable. See .env.example for what each one means.
 */

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const list = z
  .string()
  .optional()
  .transform((s) =>
    s
      ? s
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean)
      : [],
  );

/** The most tokens a context window may be said to hold: far above the largest offered (10M). */
const MAX_CONTEXT_TOKENS = 100_000_000;

/** `model=tokens,…` (split at the last `=`, since a model id may hold one): a Map by model. */
const contextTokens = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const out = new Map<string, number>();
    for (const entry of (s ?? '').split(',')) {
      if (!entry.trim()) continue;
      const at = entry.lastIndexOf('=');
      const model = entry.slice(0, at).trim();
      const tokens = entry.slice(at + 1).trim();
      if (at < 0 || !model || !/^\d+$/.test(tokens) || !(Number(tokens) >= 1)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry.trim().slice(0, 80)}" is not model=tokens (a comma-separated list, tokens a positive whole number)`,
        });
      } else if (Number(tokens) > MAX_CONTEXT_TOKENS) {
        ctx.addIssue({
          code: 'custom',
          message: `${model}: ${tokens} tokens is more than ${MAX_CONTEXT_TOKENS}`,
        });
      } else {
        out.set(model, Number(tokens));
      }
    }
    return out;
  });

const schema = z.object({
  OPENAI_API_KEY: z.string().trim().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().trim().min(1).optional(),
  OPENAI_MODELS: list,
  /** The upstream's API: Chat Completions (any OpenAI-compatible server) or Responses. */
  OPENAI_API: z.enum(['chat-completions', 'responses']).default('chat-completions'),
  /** Models that accept images (ids, `*` or `none`); unset: recognised by name. */
  VISION_MODELS: list,
  /** Context windows by model (`model=tokens,…`); others: the upstream's report, else by name. */
  MODEL_CONTEXT_TOKENS: contextTokens,
  /** Tokens kept free for the answer when a conversation is fitted (unless `maxTokens` says). */
  CONTEXT_RESERVE_TOKENS: int(1024, 0),
  UPSTREAM_TIMEOUT_MS: int(60_000, 1),
  UPSTREAM_IDLE_TIMEOUT_MS: int(60_000, 1),
  UPSTREAM_MAX_RETRIES: int(2),
  REPLY_GRACE_MS: int(30_000),
  REPLY_TTL_MS: int(10 * 60_000),
  REPLY_MAX_DURATION_MS: int(15 * 60_000, 1),
  REPLY_MAX_BYTES: int(8 * 1024 * 1024, 1024),
  STORE_MAX_BYTES: int(256 * 1024 * 1024, 1024),
  STORE_MAX_REPLIES: int(10_000, 1),
  HEARTBEAT_MS: int(15_000, 100),
  SSE_RETRY_MS: int(1_000),
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  MAX_MESSAGES: int(200, 1),
  MAX_MESSAGE_CHARS: int(100_000, 1),
  MAX_TOTAL_CHARS: int(400_000, 1),
  /** Bodies that carry images (data URLs): read up to this many bytes. */
  MAX_IMAGE_BODY_BYTES: int(20 * 1024 * 1024, 1024),
  MAX_IMAGES_PER_MESSAGE: int(4, 0),
  MAX_IMAGES: int(10, 0),
  MAX_IMAGE_BYTES: int(5 * 1024 * 1024, 1024),
  DEMO_TOKEN_DELAY_MS: int(25),
  REDIS_URL: z.url().optional(),
  ACCESS_CODE: z.string().min(4, 'must be at least 4 characters').optional(),
  RATE_LIMIT_PER_MINUTE: int(30),
  RATE_LIMIT_CONCURRENT: int(5),
  SHUTDOWN_GRACE_MS: int(10_000),
  /** `auto`: on Vercel (where disconnects go unseen), a page's leave beacon ends its reply. */
  REPLY_LEAVE: z.enum(['auto', 'on', 'off']).default('auto'),
  REDIS_PREFIX: z.string().default('streamchat:'),
  /** With Redis: how long a reply's lease lasts unrenewed before another instance takes over. */
  REPLY_LEASE_MS: int(5_000, 300),
  /** A follower whose client accepts nothing for this long is disconnected (it may resume). */
  CLIENT_STALL_TIMEOUT_MS: int(60_000, 100),
  /** Proxies allowed to set X-Forwarded-For / X-Real-IP: a hop count, or addresses/CIDRs. */
  TRUST_PROXY: z
    .string()
    .trim()
    .optional()
    .refine((v) => v === undefined || /^\d+$/.test(v) || v === 'false' || validTrust(v), {
      message: 'a number of proxy hops, or comma-separated addresses, CIDR ranges or loopback',
    }),
  /** Host names this deployment answers to; other Host values are refused. Empty: any. */
  ALLOWED_HOSTS: list,
  /** Bearer token for /api/health details (and metrics). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

function validTrust(value: string): boolean {
  try {
    proxyaddr.compile(value.split(',').map((s) => s.trim()));
    return true;
  } catch {
    return false;
  }
}

export type Env = z.infer<typeof schema> & {
  /** True when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: the built-in demo model. */
  demo: boolean;
  defaultModel: string;
  /**
   * OPENAI_MODELS with the default first (the demo model alone in demo mode): the allow-list, or
   * with discovery, what is offered when the upstream lists nothing.
   */
  models: string[];
  /**
   * Whether the upstream's model list decides what is offered (lib/llm/models.ts): not in demo
   * mode, and only while OPENAI_MODELS is unset.
   */
  discoverModels: boolean;
};

export const DEMO_MODEL = 'demo';

function load(source: NodeJS.ProcessEnv): Env {
  // Empty strings in .env files mean "unset".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${issues}`);
  }
  const env = parsed.data;
  const demo = !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL;
  const defaultModel = demo
    ? DEMO_MODEL
    : (env.OPENAI_MODEL ?? env.OPENAI_MODELS[0] ?? 'gpt-4o-mini');
  const models = demo ? [DEMO_MODEL] : [...new Set([defaultModel, ...env.OPENAI_MODELS])];
  const discoverModels = !demo && env.OPENAI_MODELS.length === 0;
  return { ...env, demo, defaultModel, models, discoverModels };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= load(process.env);
  return cached;
}

/** For tests. */
export function loadEnv(source: NodeJS.ProcessEnv): Env {
  return load(source);
}
