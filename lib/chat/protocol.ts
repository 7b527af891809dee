/**
 * The public contract's types (../shared/API.md), shared by the server, the browser client and
 * the tests. Types and tiny helpers only: no server state here.
 */

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'stopped' | 'error';

export interface MetaData {
  id: string;
  model: string;
  created: number;
  /** The longest silence (no event, no ping) on a healthy connection, in ms. */
  heartbeatMs?: number;
  /** How many of the earliest messages were left out to fit the model's context window (> 0). */
  omittedMessages?: number;
}
export interface DeltaData {
  content: string;
}
export interface UsageData {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}
export interface ErrorData {
  code: string;
  message: string;
  retryable: boolean;
  /** Seconds the upstream asked to wait before retrying, when it said. */
  retryAfter?: number;
}
export interface CloseData {
  finishReason: FinishReason;
}
export interface NoticeData {
  /** `continued`: another instance carried the reply on after the one generating it stopped. */
  code: string;
  message: string;
}

export type ReplyEvent =
  | { event: 'meta'; data: MetaData }
  | { event: 'message'; data: DeltaData }
  | { event: 'reasoning'; data: DeltaData }
  | { event: 'usage'; data: UsageData }
  | { event: 'notice'; data: NoticeData }
  | { event: 'error'; data: ErrorData }
  | { event: 'close'; data: CloseData };

export type ReplyEventName = ReplyEvent['event'];

export interface CreatedReply {
  id: string;
  streamUrl: string;
}

export interface ModelsResponse {
  /** `vision`: the model accepts image parts; `contextTokens`: its context window, where known. */
  models: { id: string; vision?: boolean; contextTokens?: number }[];
  default: string;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function streamUrlFor(id: string): string {
  return `/api/chat/${encodeURIComponent(id)}/stream`;
}

/**
 * The request that asks a model to go on with an answer that stopped: the UI's Continue, and an
 * instance carrying on a reply whose instance stopped, send the conversation, the answer so far
 * as the assistant's message, then this.
 */
export const CONTINUE_PROMPT =
  'Continue exactly where your previous answer stopped. Do not repeat anything; start with the next word.';
