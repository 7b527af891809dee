import 'server-only';
/**
 * Which models the app offers and accepts, and what is known of each. With `OPENAI_MODELS` set,
 * that allow-list (the default first); on the demo model, the demo model. Otherwise the upstream's
 * own list (`GET /v1/models` through the SDK, at the configured base URL only), kept for a minute
 * and refreshed in the background (model-cache.ts); while the upstream lists nothing (it has no
 * such route, it is down, it lists no chat model) the default model alone is offered, so
 * `/api/models` never fails because of the upstream.
 *
 * For each model: `vision` (VISION_MODELS, else what the upstream says, else the name: vision.ts)
 * and `contextTokens` (MODEL_CONTEXT_TOKENS, else what the upstream says, else the name:
 * context-windows.ts).
 */
import { getEnv } from '@/lib/env';
import { getUpstream } from '@/lib/llm/provider';
import { knownContextTokens } from '@/lib/llm/context-windows';
import { readModelList, type ListedModel } from '@/lib/llm/model-list';
import { LoadTimeoutError, refreshing, type Refreshing } from '@/lib/llm/model-cache';
import { seesImages } from '@/lib/llm/vision';
import { toErrorData } from '@/lib/llm/errors';
import { log } from '@/lib/log';

export interface ModelInfo {
  id: string;
  vision: boolean;
  contextTokens?: number;
}

/** A list younger than this is served as it is; an older one is refreshed in the background. */
const FRESH_MS = 60_000;
/** After a failed listing, the next try (an upstream that has no list is asked this often). */
const RETRY_MS = 15_000;
/** The longest a listing may take (the first `/api/models` of a process waits for it). */
const LIST_TIMEOUT_MS = 5_000;

const cacheKey = Symbol.for('streamchat.models');
type Holder = { [cacheKey]?: Refreshing<Listing> };

/** One listing: the models in the server's order, and by id. */
interface Listing {
  models: ListedModel[];
  byId: Map<string, ListedModel>;
}

/** The process-wide list (on globalThis, so every route bundle shares one cache). */
function listed(): Refreshing<Listing> {
  const holder = globalThis as Holder;
  if (!holder[cacheKey]) {
    const timeoutMs = Math.min(LIST_TIMEOUT_MS, getEnv().UPSTREAM_TIMEOUT_MS);
    let failing = false;
    holder[cacheKey] = refreshing({
      freshMs: FRESH_MS,
      retryMs: RETRY_MS,
      timeoutMs,
      async load(signal) {
        const { client } = await getUpstream();
        const page = await client.models.list({ signal, timeout: timeoutMs, maxRetries: 0 });
        failing = false;
        const models = readModelList(page.data);
        return { models, byId: new Map(models.map((m) => [m.id, m])) };
      },
      onError(error) {
        // Said once per outage: an upstream without a model list is asked every RETRY_MS.
        if (failing) return;
        failing = true;
        const status = (error as { status?: unknown }).status;
        log.warn('model list unavailable; offering the default model', {
          code: error instanceof LoadTimeoutError ? 'upstream_timeout' : toErrorData(error).code,
          ...(typeof status === 'number' && { status }),
        });
      },
    });
  }
  return holder[cacheKey];
}

/** What is known of `id`: configuration first, then what the upstream said, then its name. */
function describe(id: string, reported: ListedModel | undefined): ModelInfo {
  const env = getEnv();
  const vision =
    env.VISION_MODELS.length > 0
      ? seesImages(id, env.VISION_MODELS)
      : (reported?.vision ?? seesImages(id, []));
  const contextTokens =
    env.MODEL_CONTEXT_TOKENS.get(id) ?? reported?.contextTokens ?? knownContextTokens(id);
  return contextTokens === undefined ? { id, vision } : { id, vision, contextTokens };
}

interface Offer {
  ids: string[];
  defaultModel: string;
  reported: ReadonlyMap<string, ListedModel>;
}

const NOTHING_REPORTED: ReadonlyMap<string, ListedModel> = new Map();

/**
 * The models offered, the default first. With discovery and no `OPENAI_MODEL`, the built-in
 * default (gpt-4o-mini) is offered only if the upstream lists it; otherwise its first model is
 * the default.
 */
async function offer(): Promise<Offer> {
  const env = getEnv();
  if (!env.discoverModels) {
    return { ids: env.models, defaultModel: env.defaultModel, reported: NOTHING_REPORTED };
  }
  const listing = await listed().get();
  const models = listing?.models ?? [];
  const reported = listing?.byId ?? NOTHING_REPORTED;
  const first = models[0]?.id;
  const defaultModel =
    env.OPENAI_MODEL ??
    (first !== undefined && !reported.has(env.defaultModel) ? first : env.defaultModel);
  const ids = [defaultModel, ...models.map((m) => m.id).filter((id) => id !== defaultModel)];
  return { ids, defaultModel, reported };
}

/** `GET /api/models`: every model offered with what is known of it, and the default. */
export async function listModels(): Promise<{ models: ModelInfo[]; default: string }> {
  const { ids, defaultModel, reported } = await offer();
  return { models: ids.map((id) => describe(id, reported.get(id))), default: defaultModel };
}

/**
 * The model a `POST /api/chat` runs on: the one it names if offered, else the default;
 * undefined when it names one that is not offered (a 400). The configured default needs no
 * listing, so the common request never waits for one.
 */
export async function resolveModel(requested: string | undefined): Promise<string | undefined> {
  const env = getEnv();
  if (!env.discoverModels) {
    const model = requested ?? env.defaultModel;
    return env.models.includes(model) ? model : undefined;
  }
  if (env.OPENAI_MODEL !== undefined && (requested ?? env.OPENAI_MODEL) === env.OPENAI_MODEL) {
    return env.OPENAI_MODEL;
  }
  const { defaultModel, reported } = await offer();
  const model = requested ?? defaultModel;
  return model === defaultModel || reported.has(model) ? model : undefined;
}

/**
 * The context window of `model` in tokens, where known: `MODEL_CONTEXT_TOKENS`, else what the
 * upstream's model list reports (with discovery on), else the documented window of a well-known
 * model name. Undefined for a model nobody says anything of. Never fails and never waits longer
 * than the first listing of the process (bounded); afterwards it answers from memory.
 */
export async function contextTokensOf(model: string): Promise<number | undefined> {
  const env = getEnv();
  const configured = env.MODEL_CONTEXT_TOKENS.get(model);
  if (configured !== undefined) return configured;
  if (env.discoverModels) {
    const reported = (await listed().get())?.byId.get(model)?.contextTokens;
    if (reported !== undefined) return reported;
  }
  return knownContextTokens(model);
}
