// GET /api/models — the models the UI offers and POST /api/chat accepts
import { getEnv } from '@/lib/env';
import { apiRoute } from '@/lib/http/api-route';
import type { ModelsResponse } from '@/lib/chat/protocol';
import { listModels } from '@/lib/llm/models';

export const dynamic = 'force-dynamic';

export const GET = apiRoute('GET /api/models', async () => {
  const body: ModelsResponse & { demo: boolean } = { ...(await listModels()), demo: getEnv().demo };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
});
