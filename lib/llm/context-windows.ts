/**
 * The context windows of well-known model families, by name, for when neither
 * `MODEL_CONTEXT_TOKENS` nor the upstream's model list says: the values each provider documents
 * for its own API (a local server may run a model with a smaller window than it was trained for;
 * its own report, or `MODEL_CONTEXT_TOKENS`, then wins). Names are matched anywhere in the id, so
 * that `openai/gpt-4o`, `meta-llama/Llama-3.3-70B-Instruct` and Ollama's `llama3.2:3b` are found;
 * the first family that matches decides, so narrower ones come first.
 */

const FAMILIES: readonly (readonly [RegExp, number])[] = [
  // OpenAI
  [/gpt-5[^/]*-chat/i, 128_000],
  [/gpt-5/i, 400_000],
  [/gpt-4\.1/i, 1_047_576],
  [/gpt-4\.5/i, 128_000],
  [/gpt-4o/i, 128_000],
  [/gpt-4-turbo|gpt-4-\d{4}-preview|gpt-4-vision/i, 128_000],
  [/gpt-4-32k/i, 32_768],
  [/gpt-4(?![\d.o])/i, 8_192],
  [/gpt-3\.5-turbo-instruct/i, 4_096],
  [/gpt-3\.5/i, 16_385],
  [/gpt-oss/i, 131_072],
  [/(^|[/:])o1-(mini|preview)/i, 128_000],
  [/(^|[/:])o[134](-|$)/i, 200_000],
  // Anthropic
  [/claude-2(?!\.1)/i, 100_000],
  [/claude/i, 200_000],
  // Google
  [/gemini-1\.5-pro/i, 2_097_152],
  [/gemini-1\.0|gemini-pro(?!-)/i, 32_760],
  [/gemini/i, 1_048_576],
  // Meta: Llama 3.1, 3.2 and 3.3 have 128K; Llama 3 (3.0) has 8K.
  [/llama[-_ ]?3[._-]?[123](?![\db])/i, 131_072],
  [/llama[-_ ]?3/i, 8_192],
  // Alibaba: Qwen2, Qwen2.5 and Qwen3 run with 32K natively (more only with YaRN scaling).
  [/qwq/i, 131_072],
  [/qwen/i, 32_768],
  // Mistral
  [/codestral/i, 256_000],
  [/mixtral-8x22b/i, 65_536],
  [/mixtral/i, 32_768],
  [/mistral-(large|medium|nemo)|ministral|pixtral/i, 131_072],
  [/mistral/i, 32_768],
];

/** The documented context window of a well-known model, by its name; undefined if unknown. */
export function knownContextTokens(model: string): number | undefined {
  for (const [pattern, tokens] of FAMILIES) if (pattern.test(model)) return tokens;
  return undefined;
}
