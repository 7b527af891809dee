// GET /api/models — the models the UI offers and POST /api/chat accepts
import { getEnv } from '@/lib/env';
import { guard } from '@/lib/http/access';
import { errorResponse } from '@/lib/http/api-error';
import type { ModelsResponse } from '@/lib/chat/protocol';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  try {
    guard(request);
  } catch (error) {
    return errorResponse(error);
  }
  const env = getEnv();
  const body: ModelsResponse & { demo: boolean } = {
    models: env.models.map((id) => ({ id })),
    default: env.defaultModel,
    demo: env.demo,
  };
  return Response.json(body, { headers: { 'Cache-Control': 'no-store' } });
}
