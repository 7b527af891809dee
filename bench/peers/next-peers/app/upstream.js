/** Where the peers find the model: the same OpenAI-compatible server as the product. */
export const upstream = {
  apiKey: process.env.OPENAI_API_KEY ?? 'not-needed',
  baseURL: process.env.OPENAI_BASE_URL,
  model: process.env.OPENAI_MODEL ?? 'demo',
};
