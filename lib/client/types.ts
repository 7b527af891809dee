/**
 * The zod schemas are only loaded when a file is imported (the store imports this module's
 * types statically, its values dynamically), so zod stays out of the page's first load.
 *
 * What the browser keeps: conversations with their messages, stored whole in IndexedDB. An
 * assistant message that is still streaming keeps its reply id and the id of the last event its
 * text includes, so a reload (or another tab) can resume exactly after it.
 */
import { z } from 'zod';

// No `new Function` in the browser: zod's JIT probe would trip the Content-Security-Policy.
z.config({ jitless: true });

export const messageStatus = z.enum(['streaming', 'done', 'stopped', 'error']);
export type MessageStatus = z.infer<typeof messageStatus>;

/**
 * What a user message carries besides its text: an image (its bytes, scaled down in the browser)
 * or a file (its text: a text-like file as it is, a PDF's extracted text). The bytes live apart
 * from the conversation, in their own IndexedDB store (`attachments/files-db.ts`), by `id`.
 */
export const attachmentSchema = z.object({
  id: z.string().min(1).max(100),
  kind: z.enum(['image', 'file']),
  name: z.string().max(300),
  /** The file's own media type (`image/jpeg` after scaling, `application/pdf`, `text/csv`…). */
  type: z.string().max(200),
  /** Bytes stored: the scaled image, or the file's text as UTF-8. */
  size: z.number().int().min(0),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const storedMessageSchema = z.object({
  id: z.string().min(1).max(100),
  /**
   * The message this one follows (null: a first message). Absent in conversations stored before
   * trees, where each message follows the one before it (see lib/client/tree.ts).
   */
  parentId: z.string().min(1).max(100).nullable().optional(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  /** Images and files sent with a user message (Edit and Regenerate send them again). */
  attachments: z.array(attachmentSchema).max(50).optional(),
  status: messageStatus,
  createdAt: z.number(),
  reasoning: z.string().optional(),
  /** How long the model reasoned before its answer began, when this page saw it. */
  thoughtMs: z.number().optional(),
  /**
   * Why a `stopped` reply stopped: `user` pressed Stop; `abandoned`: the server stopped it on its
   * own (no page followed it for its grace period). Absent in data saved before it existed.
   */
  stopReason: z.enum(['user', 'abandoned']).optional(),
  /**
   * Why a `done` reply ended before the model finished its answer: `length` (the longest-answer
   * setting or the model's own limit), `content_filter` (the provider's filter). Absent when the
   * answer is complete, and in data saved before it existed.
   */
  cutShort: z.enum(['length', 'content_filter']).optional(),
  /**
   * The server refused to start it yet (429: too many replies at once, or per minute): it starts
   * by itself at `until` (epoch ms) or as soon as another reply of this browser ends.
   */
  waiting: z.object({ until: z.number(), reason: z.string() }).optional(),
  /** How many of the earliest messages the server left out to fit the model's context window. */
  omittedMessages: z.number().int().min(0).optional(),
  /** Asked in one go with another model's answer (compare): both carry the same id. */
  compareId: z.string().max(100).optional(),
  model: z.string().optional(),
  replyId: z.string().optional(),
  /** The last event of `replyId` whose content is included in `content`. */
  lastEventId: z.number().int().min(0).optional(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      retryable: z.boolean(),
      retryAfter: z.number().optional(),
      /** When Retry may be pressed again (epoch ms): the wait counted from when the error came. */
      retryAt: z.number().optional(),
    })
    .optional(),
  usage: z
    .object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() })
    .optional(),
  /** Figures for people who like them: time to first token, tokens per second. */
  metrics: z
    .object({ ttftMs: z.number().optional(), tokensPerSecond: z.number().optional() })
    .optional(),
});
export type StoredMessage = z.infer<typeof storedMessageSchema>;

/** Generation settings of a chat (API `params`); absent: the model's own defaults. */
export const generationParamsSchema = z.object({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  reasoningEffort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
});
export type GenerationParams = z.infer<typeof generationParamsSchema>;

export const conversationSchema = z.object({
  id: z.string().min(1).max(100),
  title: z.string().max(500),
  createdAt: z.number(),
  updatedAt: z.number(),
  model: z.string().optional(),
  systemPrompt: z.string().default(''),
  /** Sent with every reply of this chat. */
  params: generationParamsSchema.optional(),
  /** Every message of every version, in the order they were created. */
  messages: z.array(storedMessageSchema).superRefine((messages, ctx) => {
    // A tree: each parent comes before its children (so there is no cycle), ids are unique.
    const seen = new Set<string>();
    for (const m of messages) {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', message: `duplicate message ${m.id}` });
      if (m.parentId && !seen.has(m.parentId)) {
        ctx.addIssue({ code: 'custom', message: `message ${m.id} follows an unknown message` });
      }
      seen.add(m.id);
    }
  }),
  /** At each fork of the tree, the version shown (by parent id, '' for the first turn). */
  selected: z.record(z.string().max(100), z.string().max(100)).optional(),
  /** A compare whose answers are shown side by side until one is picked. */
  comparing: z.string().max(100).optional(),
});
export type Conversation = z.infer<typeof conversationSchema>;

/** An attachment's bytes in an export file (base64), for the conversation that holds it. */
export const exportedFileSchema = z.object({
  id: z.string().min(1).max(100),
  conversationId: z.string().min(1).max(100),
  type: z.string().max(200),
  base64: z.string(),
});
export type ExportedFile = z.infer<typeof exportedFileSchema>;

/**
 * The JSON export format; import accepts one conversation or a list. Version 1 (flat message
 * lists, before trees) still imports; version 2 carries the tree (`parentId`, `selected`);
 * version 3 adds the attachments' bytes (`files`).
 */
export const exportSchema = z.object({
  app: z.literal('streamchat'),
  version: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  conversations: z.array(conversationSchema).min(1),
  files: z.array(exportedFileSchema).optional(),
});
export type ExportFile = z.infer<typeof exportSchema>;
