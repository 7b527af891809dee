// GET /api/models — the models the UI offers and POST /api/chat accepts
import { getEnv } from '@/lib/env';
import { apiRoute } from '@/lib/http/api-route';
import type { ModelsResponse } from '@/lib/chat/protocol';
import { seesImages } from '@/lib/llm/vision';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('GET /api/models', () => {
  const env = getEnv();
  const body: ModelsResponse & { demo: boolean } = {
    models: env.models.map((id) => ({ id, vision: seesImages(id, env.VISION_MODELS) })),
    default: env.defaultModel,
    demo: env.demo,
  };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
});
