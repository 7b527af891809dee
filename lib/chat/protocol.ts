/**
 * The public contract's types (../shared/API.md), shared by the server, the browser client and
 * the tests. Types and tiny helpers only: no server state here.
 */

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'stopped' | 'error';

export interface MetaData {
  id: string;
  model: string;
  created: number;
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

export type ReplyEvent =
  | { event: 'meta'; data: MetaData }
  | { event: 'message'; data: DeltaData }
  | { event: 'reasoning'; data: DeltaData }
  | { event: 'usage'; data: UsageData }
  | { event: 'error'; data: ErrorData }
  | { event: 'close'; data: CloseData };

export type ReplyEventName = ReplyEvent['event'];

export interface CreatedReply {
  id: string;
  streamUrl: string;
}

export interface ModelsResponse {
  models: { id: string }[];
  default: string;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function streamUrlFor(id: string): string {
  return `/api/chat/${encodeURIComponent(id)}/stream`;
}
