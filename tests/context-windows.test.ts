import { describe, expect, it } from 'vitest';
import { knownContextTokens } from '@/lib/llm/context-windows';

describe('context windows of well-known models', () => {
  const cases: [string, number | undefined][] = [
    // OpenAI
    ['gpt-4o', 128_000],
    ['gpt-4o-mini', 128_000],
    ['openai/gpt-4o-2024-08-06', 128_000],
    ['chatgpt-4o-latest', 128_000],
    ['gpt-4.1', 1_047_576],
    ['gpt-4.1-nano', 1_047_576],
    ['gpt-5', 400_000],
    ['gpt-5-mini', 400_000],
    ['gpt-5-chat-latest', 128_000],
    ['gpt-4-turbo', 128_000],
    ['gpt-4-0125-preview', 128_000],
    ['gpt-4', 8_192],
    ['gpt-4-0613', 8_192],
    ['gpt-4-32k', 32_768],
    ['gpt-3.5-turbo', 16_385],
    ['gpt-3.5-turbo-instruct', 4_096],
    ['o1', 200_000],
    ['o1-mini', 128_000],
    ['o1-preview', 128_000],
    ['o3', 200_000],
    ['o3-mini', 200_000],
    ['o4-mini', 200_000],
    ['openai/o3', 200_000],
    ['gpt-oss-20b', 131_072],
    // Anthropic
    ['claude-3-5-sonnet-latest', 200_000],
    ['claude-sonnet-4-20250514', 200_000],
    ['claude-opus-4-1', 200_000],
    ['claude-2.0', 100_000],
    ['claude-2.1', 200_000],
    // Google
    ['gemini-1.5-pro', 2_097_152],
    ['gemini-1.5-flash', 1_048_576],
    ['gemini-2.0-flash', 1_048_576],
    ['gemini-2.5-pro', 1_048_576],
    ['gemini-1.0-pro', 32_760],
    ['gemini-pro', 32_760],
    // Meta
    ['llama3.1:8b', 131_072],
    ['llama3.2', 131_072],
    ['llama3.3:70b', 131_072],
    ['meta-llama/Llama-3.3-70B-Instruct', 131_072],
    ['meta-llama/Meta-Llama-3.1-8B-Instruct', 131_072],
    ['llama-3.2-1b-preview', 131_072],
    ['llama-3.3-70b-versatile', 131_072],
    ['llama3:8b', 8_192],
    ['llama3-70b-8192', 8_192],
    ['Meta-Llama-3-8B-Instruct', 8_192],
    // Alibaba
    ['qwen2.5:7b', 32_768],
    ['Qwen/Qwen2.5-Coder-32B-Instruct', 32_768],
    ['qwen3:8b', 32_768],
    ['qwq:32b', 131_072],
    // Mistral
    ['mistral:7b', 32_768],
    ['mistralai/Mistral-7B-Instruct-v0.3', 32_768],
    ['mistral-large-latest', 131_072],
    ['open-mistral-nemo', 131_072],
    ['mixtral:8x7b', 32_768],
    ['mixtral-8x22b-instruct', 65_536],
    ['codestral-latest', 256_000],
    ['pixtral-12b', 131_072],
    ['ministral-8b-latest', 131_072],
    // Unknown
    ['test-model', undefined],
    ['demo', undefined],
    ['phi3:mini', undefined],
    ['deepseek-r1:7b', undefined],
  ];
  it.each(cases)('%s → %s', (model, tokens) => {
    expect(knownContextTokens(model)).toBe(tokens);
  });
});
