/**
 * Which models accept image parts. `VISION_MODELS` decides when set (model ids, `*` for all,
 * `none` for none); otherwise well-known names that see are recognised, and anything else is
 * taken not to (the UI then offers a model that does instead of sending an image in vain).
 */

/** Families known to accept images (OpenAI, Anthropic, Google, and open models served locally). */
const SEES =
  /gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-4-vision|gpt-5|(^|[/-])o[134](-|$)|claude-3|claude-(sonnet|opus|haiku)-4|gemini|gemma-?3|llava|vision|[-_.]vl([-_.:]|$)|pixtral|llama-?4|minicpm-v|moondream|mistral-(small|medium)-3/i;

export function seesImages(model: string, configured: readonly string[]): boolean {
  if (configured.length > 0) {
    if (configured.includes('none')) return false;
    return configured.includes('*') || configured.includes(model);
  }
  return model === 'demo' || SEES.test(model);
}
