/**
 * The settings a reply taken over by another instance goes on with: checked again when read back
 * from Redis, and the longest-answer setting less the answer so far.
 */
import { describe, expect, it } from 'vitest';
import { continuedParams, storedParams } from '@/lib/chat/carry-on';

describe('storedParams', () => {
  it('reads back the settings a reply was asked with', () => {
    const params = { temperature: 0.2, maxTokens: 300, reasoningEffort: 'high' };
    expect(storedParams(params)).toEqual(params);
  });

  it('gives none for a reply stored without settings (also by the version before them)', () => {
    expect(storedParams(undefined)).toBeUndefined();
  });

  it('drops settings that no longer pass rather than failing the reply', () => {
    expect(storedParams({ temperature: 7 })).toBeUndefined();
    expect(storedParams({ topK: 3 })).toBeUndefined();
    expect(storedParams('not an object')).toBeUndefined();
  });
});

describe('continuedParams', () => {
  it('leaves settings without a longest answer as they are', () => {
    expect(continuedParams({ temperature: 1 }, 500)).toEqual({ temperature: 1 });
  });

  it('gives the continuation what is left of the longest answer', () => {
    expect(continuedParams({ maxTokens: 300, temperature: 0 }, 120)).toEqual({
      maxTokens: 180,
      temperature: 0,
    });
  });

  it('says the answer is exhausted when nothing is left', () => {
    expect(continuedParams({ maxTokens: 300 }, 300)).toBe('exhausted');
    expect(continuedParams({ maxTokens: 300 }, 340)).toBe('exhausted');
  });
});
