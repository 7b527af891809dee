/**
 * Reading an upstream's model list (`GET /v1/models`, the `data` array) into what the app offers:
 * chat models with sane ids, at most MAX_MODELS of them, and what the server says of each where
 * it says it. OpenAI reports ids only; OpenAI-compatible servers add their own fields, read here
 * defensively (a field of the wrong type is as good as absent):
 * - the context window: vLLM `max_model_len`, LM Studio `loaded_context_length` /
 *   `max_context_length`, OpenRouter, Together and others `context_length`, Groq `context_window`;
 * - whether it sees images: a `capabilities` array (Ollama-style `"vision"`, llama.cpp
 *   `"multimodal"`), a `capabilities` object (Mistral, `vision: true`), a `vision` boolean, LM
 *   Studio's `type` (`"vlm"` / `"llm"`), OpenRouter's `architecture.input_modalities`.
 */

export interface ListedModel {
  id: string;
  /** The context window the server reports. */
  contextTokens?: number;
  /** Whether the server says the model accepts images; undefined when it does not say. */
  vision?: boolean;
}

/** The most models kept from one list (OpenAI lists about a hundred; a picker needs fewer). */
export const MAX_MODELS = 500;

/** As long as `POST /api/chat` accepts a model id. */
export const MAX_MODEL_ID_CHARS = 200;

/** The largest context window believed (10M is the largest any model offers). */
const MAX_CONTEXT_TOKENS = 100_000_000;

/** Control and format characters: a bidi override, say, would make one id look like another. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Ids are shown and sent back as they are: printable, with no whitespace at either end. */
const saneId = (id: unknown): id is string =>
  typeof id === 'string' &&
  id.length > 0 &&
  id.length <= MAX_MODEL_ID_CHARS &&
  id.trim() === id &&
  !UNPRINTABLE.test(id);

/** Models that do not chat (embeddings, speech, images, moderation, reranking, old completions). */
const NOT_CHAT =
  /embed|whisper|(^|[/_-])tts([/_:-]|$)|dall-e|gpt-image|moderation|rerank|transcribe|realtime|(^|[/])(text-)?(davinci|babbage|curie|ada)(-|$)/i;
const NOT_CHAT_TYPES = new Set([
  'embedding',
  'embeddings',
  'rerank',
  'image',
  'audio',
  'moderation',
  'transcribe',
]);

type Entry = Record<string, unknown>;

const isEntry = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function tokens(value: unknown): number | undefined {
  return Number.isSafeInteger(value) &&
    (value as number) > 0 &&
    (value as number) <= MAX_CONTEXT_TOKENS
    ? (value as number)
    : undefined;
}

const CONTEXT_FIELDS = [
  'loaded_context_length',
  'max_model_len',
  'context_length',
  'context_window',
  'max_context_length',
] as const;

function reportedContext(entry: Entry): number | undefined {
  for (const field of CONTEXT_FIELDS) {
    const n = tokens(entry[field]);
    if (n !== undefined) return n;
  }
  return undefined;
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')
    ? (value as string[]).map((v) => v.toLowerCase())
    : undefined;

function reportedVision(entry: Entry): boolean | undefined {
  const capabilities = entry.capabilities;
  const listed = strings(capabilities);
  if (listed) return listed.includes('vision') || listed.includes('multimodal');
  if (isEntry(capabilities) && typeof capabilities.vision === 'boolean') return capabilities.vision;
  if (typeof entry.vision === 'boolean') return entry.vision;
  if (entry.type === 'vlm') return true;
  if (entry.type === 'llm') return false;
  const modalities = isEntry(entry.architecture)
    ? strings(entry.architecture.input_modalities)
    : undefined;
  if (modalities) return modalities.includes('image');
  return undefined;
}

/**
 * The chat models of a model list's `data`, in the server's order, each id once, at most
 * `max`; anything that is not a list gives none.
 */
export function readModelList(data: unknown, max = MAX_MODELS): ListedModel[] {
  if (!Array.isArray(data)) return [];
  const out: ListedModel[] = [];
  const seen = new Set<string>();
  for (const entry of data) {
    if (out.length >= max) break;
    if (!isEntry(entry)) continue;
    const id = entry.id;
    if (!saneId(id) || seen.has(id) || NOT_CHAT.test(id)) continue;
    if (typeof entry.type === 'string' && NOT_CHAT_TYPES.has(entry.type.toLowerCase())) continue;
    seen.add(id);
    const model: ListedModel = { id };
    const contextTokens = reportedContext(entry);
    if (contextTokens !== undefined) model.contextTokens = contextTokens;
    const vision = reportedVision(entry);
    if (vision !== undefined) model.vision = vision;
    out.push(model);
  }
  return out;
}
