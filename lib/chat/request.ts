/**
 * Reading and validating `POST /api/chat` bodies. The size limit is enforced while reading, so an
 * oversized body is refused without being held in memory; the shape and the bounds on message
 * count and length are checked by one zod schema.
 */
import { z } from 'zod';
import { apiError, ApiError } from '@/lib/http/api-error';

export interface Limits {
  maxBodyBytes: number;
  maxMessages: number;
  maxMessageChars: number;
  maxTotalChars: number;
}

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

/** The shape of a `POST /api/chat` body; size bounds are checked after it, with their own codes. */
export const chatRequestSchema = z
  .object({
    messages: z.array(messageSchema).min(1, 'messages must not be empty'),
    model: z.string().min(1).max(200).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.messages.at(-1)?.role !== 'user') {
      ctx.addIssue({
        code: 'custom',
        path: ['messages'],
        message: 'the last message must be from the user',
      });
    }
  });

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

/** Reads at most `maxBytes` of the body; throws 413 as soon as it would be more. */
export async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number): ApiError {
  return apiError('body_too_large', `The request body is larger than ${maxBytes} bytes.`);
}

/** Parses and validates a request; every failure is an ApiError with a clear message. */
export async function parseChatRequest(request: Request, limits: Limits): Promise<ChatRequestBody> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw apiError('unsupported_media_type', 'Send the request body as application/json.');
  }
  let text: string;
  try {
    text = await readBody(request, limits.maxBodyBytes);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw apiError('invalid_body', 'The request body could not be read as UTF-8 text.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw apiError('invalid_json', 'The request body is not valid JSON.');
  }
  const parsed = chatRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw apiError(
      'invalid_request',
      `Invalid request: ${where}${issue?.message ?? 'wrong shape'}.`,
    );
  }
  const { messages } = parsed.data;
  if (messages.length > limits.maxMessages) {
    throw apiError(
      'too_many_messages',
      `A request may carry at most ${limits.maxMessages} messages.`,
    );
  }
  let total = 0;
  for (const [i, m] of messages.entries()) {
    if (m.content.length > limits.maxMessageChars) {
      throw apiError(
        'message_too_long',
        `Message ${i + 1} is longer than ${limits.maxMessageChars} characters.`,
      );
    }
    total += m.content.length;
  }
  if (total > limits.maxTotalChars) {
    throw apiError(
      'conversation_too_long',
      `The messages together are longer than ${limits.maxTotalChars} characters.`,
    );
  }
  return parsed.data;
}
