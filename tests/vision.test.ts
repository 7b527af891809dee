import { describe, expect, it } from 'vitest';
import { seesImages } from '@/lib/llm/vision';

describe('which models see images', () => {
  it('recognises well-known vision models by name', () => {
    for (const id of [
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'gpt-5',
      'o3',
      'o4-mini',
      'claude-3-5-sonnet-latest',
      'gemini-2.0-flash',
      'llava:13b',
      'qwen2.5-vl-7b-instruct',
      'Qwen/Qwen2.5-VL-72B-Instruct',
      'pixtral-12b',
      'meta-llama/Llama-3.2-11B-Vision-Instruct',
      'demo',
    ]) {
      expect(seesImages(id, []), id).toBe(true);
    }
  });

  it('takes other models not to see', () => {
    for (const id of ['gpt-3.5-turbo', 'llama3.2', 'mistral-7b-instruct', 'test-model', 'o1x']) {
      expect(seesImages(id, []), id).toBe(false);
    }
  });

  it('VISION_MODELS decides when set', () => {
    expect(seesImages('test-model', ['test-model'])).toBe(true);
    expect(seesImages('gpt-4o', ['test-model'])).toBe(false);
    expect(seesImages('anything', ['*'])).toBe(true);
    expect(seesImages('gpt-4o', ['none'])).toBe(false);
  });
});
