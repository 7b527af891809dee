'use client';
import { memo } from 'react';
import type { StoredMessage } from '@/lib/client/types';
import { AssistantMessage } from '@/components/message/assistant-message';
import { UserMessage } from '@/components/message/user-message';
import type { Versions } from '@/components/message/version-switcher';

interface Props {
  message: StoredMessage;
  /** The last message of the conversation (Regenerate and Continue apply to it only). */
  isLast: boolean;
  /** A reply is streaming in this conversation: no edits meanwhile. */
  busy: boolean;
  reconnecting: boolean;
  /** Where this message stands among the versions of its turn (count 1: no other version). */
  versionIndex: number;
  versionCount: number;
  previousVersion?: string;
  nextVersion?: string;
}

/**
 * One message. Memoised (its props are plain values): a streaming reply re-renders itself, not
 * the conversation.
 */
export const Message = memo(function Message(props: Props) {
  const versions: Versions | undefined =
    props.versionCount > 1
      ? {
          index: props.versionIndex,
          count: props.versionCount,
          previous: props.previousVersion,
          next: props.nextVersion,
        }
      : undefined;
  return props.message.role === 'user' ? (
    <UserMessage message={props.message} busy={props.busy} versions={versions} />
  ) : (
    <AssistantMessage
      message={props.message}
      isLast={props.isLast}
      reconnecting={props.reconnecting}
      busy={props.busy}
      versions={versions}
    />
  );
});
