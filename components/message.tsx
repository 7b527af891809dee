'use client';
import { memo } from 'react';
import type { StoredMessage } from '@/lib/client/types';
import { AssistantMessage } from '@/components/message/assistant-message';
import { UserMessage } from '@/components/message/user-message';

interface Props {
  message: StoredMessage;
  /** The last message of the conversation (Regenerate and Continue apply to it only). */
  isLast: boolean;
  /** A reply is streaming in this conversation: no edits meanwhile. */
  busy: boolean;
  reconnecting: boolean;
}

/** One message. Memoised: a streaming reply re-renders itself, not the conversation. */
export const Message = memo(function Message(props: Props) {
  return props.message.role === 'user' ? (
    <UserMessage message={props.message} busy={props.busy} />
  ) : (
    <AssistantMessage
      message={props.message}
      isLast={props.isLast}
      reconnecting={props.reconnecting}
    />
  );
});
