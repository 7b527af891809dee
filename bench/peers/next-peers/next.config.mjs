/**
 * The bench's peer Next.js app, built the same way as the product (`output: 'standalone'`):
 * - POST /api/naive: the obvious relay (for await over the OpenAI SDK stream, one enqueue per token);
 * - POST /api/ai-sdk: the Vercel AI SDK (`streamText`, UI message stream response);
 * - /markdown: a plain react-markdown component that re-renders the whole text per update.
 * Not part of the product: `npm run bench` builds and runs it.
 */
/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'standalone',
  poweredByHeader: false,
  compress: true,
};

export default nextConfig;
