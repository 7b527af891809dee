import { describe, expect, it } from 'vitest';
import { MAX_MODELS, readModelList } from '@/lib/llm/model-list';

describe("reading an upstream's model list", () => {
  it("keeps OpenAI's ids in order, each once", () => {
    const data = [
      { id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' },
      { id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'openai' },
      { id: 'gpt-4o', object: 'model', created: 1, owned_by: 'openai' },
    ];
    expect(readModelList(data)).toEqual([{ id: 'gpt-4o' }, { id: 'gpt-4o-mini' }]);
  });

  it('reads the context window each kind of server reports', () => {
    const data = [
      { id: 'vllm', max_model_len: 32768 },
      { id: 'lmstudio-loaded', loaded_context_length: 4096, max_context_length: 131072 },
      { id: 'lmstudio', max_context_length: 131072 },
      { id: 'openrouter', context_length: 200000 },
      { id: 'groq', context_window: 8192 },
    ];
    expect(readModelList(data).map((m) => m.contextTokens)).toEqual([
      32768, 4096, 131072, 200000, 8192,
    ]);
  });

  it('ignores context windows of the wrong type or out of range', () => {
    const data = [
      { id: 'a', context_length: '8192' },
      { id: 'b', context_length: -1 },
      { id: 'c', context_length: 0 },
      { id: 'd', context_length: 1.5 },
      { id: 'e', context_length: 1e12 },
      { id: 'f', max_model_len: null, context_length: 4096 },
    ];
    expect(readModelList(data).map((m) => m.contextTokens)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      4096,
    ]);
  });

  it('reads whether a model sees images, where the server says', () => {
    const data = [
      { id: 'ollama-vision', capabilities: ['completion', 'vision'] },
      { id: 'ollama-text', capabilities: ['completion', 'tools'] },
      { id: 'llamacpp', capabilities: ['completion', 'multimodal'] },
      { id: 'mistral', capabilities: { completion_chat: true, vision: true } },
      { id: 'mistral-text', capabilities: { completion_chat: true, vision: false } },
      { id: 'flag', vision: true },
      { id: 'lms-vlm', type: 'vlm' },
      { id: 'lms-llm', type: 'llm' },
      { id: 'openrouter', architecture: { input_modalities: ['text', 'image'] } },
      { id: 'openrouter-text', architecture: { input_modalities: ['text'] } },
      { id: 'silent' },
      { id: 'odd', capabilities: 'vision', vision: 'yes', type: 42 },
    ];
    expect(Object.fromEntries(readModelList(data).map((m) => [m.id, m.vision]))).toEqual({
      'ollama-vision': true,
      'ollama-text': false,
      llamacpp: true,
      mistral: true,
      'mistral-text': false,
      flag: true,
      'lms-vlm': true,
      'lms-llm': false,
      openrouter: true,
      'openrouter-text': false,
      silent: undefined,
      odd: undefined,
    });
  });

  it('leaves out models that do not chat', () => {
    const ids = [
      'gpt-4o',
      'text-embedding-3-small',
      'nomic-embed-text:latest',
      'whisper-1',
      'tts-1-hd',
      'gpt-4o-mini-tts',
      'dall-e-3',
      'gpt-image-1',
      'omni-moderation-latest',
      'gpt-4o-transcribe',
      'gpt-4o-realtime-preview',
      'davinci-002',
      'babbage-002',
      'bge-reranker-v2',
      'llama3.2:latest',
      'mistralai/Mistral-7B-Instruct-v0.3',
    ];
    const data = [...ids.map((id) => ({ id })), { id: 'some-embedder', type: 'embeddings' }];
    expect(readModelList(data).map((m) => m.id)).toEqual([
      'gpt-4o',
      'llama3.2:latest',
      'mistralai/Mistral-7B-Instruct-v0.3',
    ]);
  });

  it('keeps only sane ids', () => {
    const data = [
      { id: 'ok' },
      { id: '' },
      { id: ' padded' },
      { id: 'x'.repeat(201) },
      { id: 'y'.repeat(200) },
      { id: 'line\nbreak' },
      { id: 'bidi\u202eevil' },
      { id: 'nul\u0000' },
      { id: 42 },
      { id: null },
      { name: 'no id' },
      null,
      'a string',
      ['an', 'array'],
      { id: 'with space inside' },
      { id: 'Qwen/Qwen2.5-7B-Instruct' },
      { id: 'modèle-é' },
    ];
    expect(readModelList(data).map((m) => m.id)).toEqual([
      'ok',
      'y'.repeat(200),
      'with space inside',
      'Qwen/Qwen2.5-7B-Instruct',
      'modèle-é',
    ]);
  });

  it('keeps at most MAX_MODELS', () => {
    const data = Array.from({ length: 5000 }, (_, i) => ({ id: `model-${i}` }));
    const models = readModelList(data);
    expect(models).toHaveLength(MAX_MODELS);
    expect(models.at(-1)?.id).toBe(`model-${MAX_MODELS - 1}`);
    expect(readModelList(data, 3).map((m) => m.id)).toEqual(['model-0', 'model-1', 'model-2']);
  });

  it('reads anything that is not a list as no models', () => {
    for (const data of [undefined, null, {}, 'models', 42, { data: [{ id: 'a' }] }]) {
      expect(readModelList(data)).toEqual([]);
    }
  });
});
