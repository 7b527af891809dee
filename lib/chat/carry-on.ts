/**
 * The generation settings a reply taken over by another instance goes on with
 * (lib/streams/takeover.ts): those it was asked with, read back from Redis, with what is left of
 * `maxTokens` after the answer so far.
 */
import { generationParamsSchema, type GenerationParams } from '@/lib/chat/request';

/**
 * The stored settings, checked again: settings that do not pass (stored by another version) are
 * dropped, and the reply goes on with the model's defaults rather than failing.
 */
export function storedParams(stored: unknown): GenerationParams | undefined {
  if (stored === undefined) return undefined;
  const parsed = generationParamsSchema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The settings for the request that continues an answer of `answerTokens` tokens: `maxTokens`
 * bounds the whole answer, so the continuation gets what is left of it; none left means the
 * answer is as long as it may be ('exhausted': it ends as cut at the limit).
 */
export function continuedParams(
  params: GenerationParams,
  answerTokens: number,
): GenerationParams | 'exhausted' {
  if (params.maxTokens === undefined) return params;
  const left = params.maxTokens - answerTokens;
  return left > 0 ? { ...params, maxTokens: left } : 'exhausted';
}
