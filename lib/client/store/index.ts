/**
 * The chat store, the one way components and hooks reach it: the state to subscribe to, its
 * selectors, the actions, and the export formats. How it is split: `state.ts` (state,
 * selectors, updates), `persist.ts` (IndexedDB saves), `tabs.ts` and `other-tabs.ts` (Web
 * Locks, the BroadcastChannel and what other tabs say), `replies.ts` (start, follow, stop),
 * `transfer.ts` (import, export) and `actions.ts` (what people do).
 *
 * Several tabs: each reply is followed by exactly one tab, the holder of a Web Lock named after
 * it; the others queue for that lock (so one of them takes over if the holder closes) and see the
 * text live through a BroadcastChannel. Reload: the page queues for the locks of replies still
 * marked streaming and resumes each after the last event id saved with its text.
 */
export { chatActions, type Removed } from './actions';
export {
  activeConversation,
  canContinue,
  chatStore,
  comparedAnswers,
  getServerSnapshot,
  hasStreaming,
  isStreaming,
  lastShown,
  seesImages,
  shownPath,
  streamingTitles,
  type ChatState,
} from './state';
export { toJson, toMarkdown } from './transfer';
