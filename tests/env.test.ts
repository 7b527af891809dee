import { describe, expect, it } from 'vitest';
import { loadEnv } from '@/lib/env';

const load = (vars: Record<string, string>) => loadEnv(vars as NodeJS.ProcessEnv);

const upstream = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' };

describe('MODEL_CONTEXT_TOKENS', () => {
  it('reads a comma-separated model=tokens list', () => {
    const env = load({
      MODEL_CONTEXT_TOKENS: ' llama3.2:3b=8192 , gpt-4o=128000,,weird=id=4096 ',
    });
    expect([...env.MODEL_CONTEXT_TOKENS]).toEqual([
      ['llama3.2:3b', 8192],
      ['gpt-4o', 128000],
      ['weird=id', 4096],
    ]);
  });

  it('is empty when unset or empty', () => {
    expect(load({}).MODEL_CONTEXT_TOKENS.size).toBe(0);
    expect(load({ MODEL_CONTEXT_TOKENS: '' }).MODEL_CONTEXT_TOKENS.size).toBe(0);
  });

  it.each([
    ['gpt-4o', 'is not model=tokens'],
    ['gpt-4o=', 'is not model=tokens'],
    ['=8192', 'is not model=tokens'],
    ['gpt-4o=8k', 'is not model=tokens'],
    ['gpt-4o=0', 'is not model=tokens'],
    ['gpt-4o=-5', 'is not model=tokens'],
    ['gpt-4o=1.5', 'is not model=tokens'],
    ['gpt-4o=999999999999', 'is more than 100000000'],
  ])('refuses %j, naming the variable', (value, problem) => {
    expect(() => load({ MODEL_CONTEXT_TOKENS: value })).toThrow(
      new RegExp(`Invalid configuration: MODEL_CONTEXT_TOKENS: .*${problem}`),
    );
  });
});

describe('where the models come from', () => {
  it('the demo model: no discovery', () => {
    const env = load({});
    expect(env).toMatchObject({ demo: true, discoverModels: false, models: ['demo'] });
  });

  it('OPENAI_MODELS set: that allow-list, the default first, no discovery', () => {
    const env = load({ ...upstream, OPENAI_MODEL: 'b', OPENAI_MODELS: 'a,b,c' });
    expect(env).toMatchObject({
      discoverModels: false,
      defaultModel: 'b',
      models: ['b', 'a', 'c'],
    });
  });

  it("OPENAI_MODELS unset: the upstream's list, the default as the fallback", () => {
    expect(load({ ...upstream, OPENAI_MODEL: 'llama3.2' })).toMatchObject({
      discoverModels: true,
      defaultModel: 'llama3.2',
      models: ['llama3.2'],
    });
    expect(load({ OPENAI_API_KEY: 'sk-test' })).toMatchObject({
      discoverModels: true,
      defaultModel: 'gpt-4o-mini',
    });
  });
});
