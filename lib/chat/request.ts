/**
 * Reading and validating `POST /api/chat` bodies. The size limit is enforced while reading, so an
 * oversized body is refused without being held in memory; the shape and the bounds on message
 * count and length are checked by one zod schema.
 */
import { z } from 'zod';
import { apiError, ApiError } from '@/lib/http/api-error';

export interface Limits {
  /** A body with text only. */
  maxBodyBytes: number;
  maxMessages: number;
  maxMessageChars: number;
  maxTotalChars: number;
  /** A body that carries images (read up to this; text-only bodies are held to the first). */
  maxImageBodyBytes: number;
  maxImagesPerMessage: number;
  maxImages: number;
  /** Decoded bytes of one image in a data URL. */
  maxImageBytes: number;
}

/** An image by data URL (the usual image types, base64) or by https URL, passed on as it is. */
const DATA_URL = /^data:image\/(png|jpeg|webp|gif);base64,([A-Za-z0-9+/]*={0,2})$/;

function imageUrlProblem(url: string): string | null {
  if (url.startsWith('data:')) return DATA_URL.test(url) ? null : 'not a base64 image data URL';
  if (url.length > 4096) return 'a URL longer than 4096 characters';
  try {
    return new URL(url).protocol === 'https:' ? null : 'neither a data URL nor an https URL';
  } catch {
    return 'not a URL';
  }
}

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string().superRefine((url, ctx) => {
      const problem = imageUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: `the image URL is ${problem}` });
    }),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});
export type ContentPart = z.infer<typeof textPart> | z.infer<typeof imagePart>;

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.union([
      z.string(),
      z.array(z.discriminatedUnion('type', [textPart, imagePart])).min(1),
    ]),
  })
  .superRefine((m, ctx) => {
    if (m.role !== 'user' && typeof m.content !== 'string') {
      if (m.content.some((p) => p.type === 'image_url')) {
        ctx.addIssue({
          code: 'custom',
          path: ['content'],
          message: 'images are allowed in user messages only',
        });
      }
    }
  });

/** The text of a message: its content, or its text parts joined. */
export function textOf(content: string | ContentPart[]): string {
  return typeof content === 'string'
    ? content
    : content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

/** The image parts of a message. */
export function imagesOf(
  content: string | ContentPart[],
): Extract<ContentPart, { type: 'image_url' }>[] {
  return typeof content === 'string'
    ? []
    : content.filter(
        (p): p is Extract<ContentPart, { type: 'image_url' }> => p.type === 'image_url',
      );
}

/** Decoded bytes of a data URL's image (0 for an https URL: the server never fetches it). */
export function imageBytes(url: string): number {
  const base64 = DATA_URL.exec(url)?.[2];
  if (!base64) return 0;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/**
 * Generation settings (`params`), each optional; an unknown key is refused rather than ignored,
 * so a misspelt setting is not silently without effect. Each upstream dialect passes them in its
 * own form (lib/llm/chat-completions.ts, lib/llm/responses.ts).
 */
export const generationParamsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  /** The most tokens the answer may have. */
  maxTokens: z.int().positive().optional(),
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
});

export type GenerationParams = z.infer<typeof generationParamsSchema>;

/** The shape of a `POST /api/chat` body; size bounds are checked after it, with their own codes. */
export const chatRequestSchema = z
  .object({
    messages: z.array(messageSchema).min(1, 'messages must not be empty'),
    model: z.string().min(1).max(200).optional(),
    params: generationParamsSchema.optional(),
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

/**
 * Reads at most `maxBytes` of the body; throws 413 as soon as it would be more. With
 * `imageMaxBytes`, a body may go on past `maxBytes` up to that, but only once it has shown an
 * image part (the `"image_url"` key comes before its data URL): a text-only body is still
 * refused while it is read. (A body that hides the key is read to the larger bound, then refused
 * by the text-only one after parsing.)
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  imageMaxBytes = maxBytes,
): Promise<string> {
  const hardMax = Math.max(maxBytes, imageMaxBytes);
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > hardMax) throw tooLarge(hardMax);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let hasImages = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    chunks.push(value);
    if (size > maxBytes && !hasImages) {
      hasImages = size <= hardMax && Buffer.concat(chunks).includes('"image_url"');
    }
    if (size > hardMax || (size > maxBytes && !hasImages)) {
      await reader.cancel().catch(() => {});
      throw tooLarge(hasImages ? hardMax : maxBytes);
    }
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
    text = await readBody(request, limits.maxBodyBytes, limits.maxImageBodyBytes);
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
  // Images: how many, how large; a body without any is held to the text-only limit.
  let images = 0;
  for (const [i, m] of messages.entries()) {
    const parts = imagesOf(m.content);
    if (parts.length > limits.maxImagesPerMessage) {
      throw apiError(
        'too_many_images',
        `Message ${i + 1} carries ${parts.length} images; at most ${limits.maxImagesPerMessage} are allowed per message.`,
      );
    }
    images += parts.length;
    for (const part of parts) {
      if (imageBytes(part.image_url.url) > limits.maxImageBytes) {
        throw apiError(
          'image_too_large',
          `An image of message ${i + 1} is larger than ${limits.maxImageBytes} bytes.`,
        );
      }
    }
  }
  if (images > limits.maxImages) {
    throw apiError(
      'too_many_images',
      `The request carries ${images} images; at most ${limits.maxImages} are allowed.`,
    );
  }
  const bytes = Buffer.byteLength(text);
  if (images === 0 && bytes > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
  let total = 0;
  for (const [i, m] of messages.entries()) {
    const chars = textOf(m.content).length;
    if (chars > limits.maxMessageChars) {
      throw apiError(
        'message_too_long',
        `Message ${i + 1} is longer than ${limits.maxMessageChars} characters.`,
      );
    }
    total += chars;
  }
  if (total > limits.maxTotalChars) {
    throw apiError(
      'conversation_too_long',
      `The messages together are longer than ${limits.maxTotalChars} characters.`,
    );
  }
  return parsed.data;
}
