'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useChat } from '@/hooks/use-chat';
import { toJson, toMarkdown } from '@/lib/client/chat-store';
import type { Conversation } from '@/lib/client/types';
import { Sidebar } from '@/components/sidebar';
import { ConversationView } from '@/components/conversation-view';
import { Composer } from '@/components/composer';
import { ThemeToggle } from '@/components/theme-toggle';
import { MenuIcon } from '@/components/icons';
import { LiveAnnouncer } from '@/components/live-announcer';

export function ChatApp({
  demo,
  limits,
}: {
  demo: boolean;
  /** The server's limits the UI checks before sending (MAX_MESSAGE_CHARS). */
  limits?: { maxMessageChars: number };
}) {
  const chat = useChat();
  const { active, actions } = chat;
  const [drawer, setDrawer] = useState(false);
  const [settings, setSettings] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const openDrawer = useRef<HTMLButtonElement>(null);
  const drawerPanel = useRef<HTMLDivElement>(null);

  // The drawer is modal: focus goes into it, and back to its button when it closes.
  const closeDrawer = useCallback(() => setDrawer(false), []);
  const drawerWasOpen = useRef(false);
  useEffect(() => {
    if (!drawer) {
      if (drawerWasOpen.current) openDrawer.current?.focus();
      drawerWasOpen.current = false;
      return;
    }
    drawerWasOpen.current = true;
    drawerPanel.current?.querySelector('button')?.focus();
    // It only exists in the narrow layout: widening the window closes it.
    const wide = matchMedia('(min-width: 48rem)');
    const onChange = () => wide.matches && setDrawer(false);
    wide.addEventListener('change', onChange);
    return () => wide.removeEventListener('change', onChange);
  }, [drawer]);

  // Ctrl/Cmd+Shift+O: a new chat, from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'o') {
        e.preventDefault();
        actions.newChat();
        composer.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [actions]);

  // The open chat is in the URL hash, so a reload (or a link) reopens it.
  useEffect(() => {
    if (!chat.ready) return;
    const hash = chat.activeId ? `#${chat.activeId}` : '';
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${hash}`);
  }, [chat.ready, chat.activeId]);

  const models = chat.models?.models ?? [];
  const model = active?.model ?? chat.models?.default ?? '';

  return (
    <div className="flex h-dvh overflow-hidden">
      <aside className="hidden w-72 shrink-0 border-r border-zinc-200 bg-zinc-50 md:block dark:border-zinc-800 dark:bg-zinc-900/50">
        <Sidebar
          conversations={chat.conversations}
          activeId={chat.activeId}
          onNavigate={() => {}}
        />
      </aside>
      {drawer && (
        <div
          className="fixed inset-0 z-40 md:hidden"
          role="dialog"
          aria-modal="true"
          aria-label="Chats"
          onKeyDown={(e) => e.key === 'Escape' && closeDrawer()}
        >
          <button
            type="button"
            aria-label="Close sidebar"
            className="absolute inset-0 bg-black/40"
            onClick={closeDrawer}
          />
          <div
            ref={drawerPanel}
            className="absolute inset-y-0 left-0 w-72 max-w-[85vw] bg-white shadow-xl dark:bg-zinc-900"
          >
            <Sidebar
              conversations={chat.conversations}
              activeId={chat.activeId}
              onNavigate={closeDrawer}
            />
          </div>
        </div>
      )}
      {/* Behind the open drawer, nothing can be reached (it is modal). */}
      <div className="flex min-w-0 flex-1 flex-col" inert={drawer}>
        <header className="flex items-center gap-2 border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
          <button
            ref={openDrawer}
            type="button"
            className="btn-ghost md:hidden"
            aria-label="Open sidebar"
            aria-expanded={drawer}
            onClick={() => setDrawer(true)}
          >
            <MenuIcon />
          </button>
          <h1 className="min-w-0 flex-1 truncate font-semibold">{active?.title ?? 'New chat'}</h1>
          {models.length > 0 && (
            <select
              aria-label="Model"
              value={model}
              onChange={(e) => actions.setModel(e.target.value)}
              className="field w-auto max-w-40 py-1.5"
            >
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id}
                </option>
              ))}
            </select>
          )}
          {active && (
            <button
              type="button"
              className="btn-ghost"
              aria-expanded={settings}
              onClick={() => setSettings((s) => !s)}
            >
              Settings
            </button>
          )}
          <ThemeToggle />
        </header>
        {demo && (
          <p
            role="note"
            className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100"
          >
            You are chatting with the <strong>built-in demo model</strong>, not a real language
            model. Set <code>OPENAI_API_KEY</code> (or <code>OPENAI_BASE_URL</code>) on the server
            to use one.
          </p>
        )}
        {settings && active && <ConversationSettings conversation={active} />}
        <ConversationView
          conversation={active}
          reconnecting={chat.reconnecting}
          onExample={(text) => actions.send(text)}
        />
        <Composer
          ref={composer}
          streaming={chat.streaming}
          onSend={(text) => actions.send(text)}
          onStop={() => actions.stop()}
          maxMessageChars={limits?.maxMessageChars}
        />
      </div>
      <LiveAnnouncer conversation={active} />
    </div>
  );
}

function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function fileName(c: Conversation, ext: string) {
  const base =
    c.title
      .replace(/[^\w\- ]+/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 50) || 'chat';
  return `${base}.${ext}`;
}

/** Per-conversation settings: the system prompt, and export. */
function ConversationSettings({ conversation }: { conversation: Conversation }) {
  const { actions } = useChat();
  return (
    <section
      aria-label="Chat settings"
      className="border-b border-zinc-200 bg-zinc-50 px-4 py-3 dark:border-zinc-800 dark:bg-zinc-900/50"
    >
      <div className="mx-auto max-w-3xl space-y-2">
        <label className="block text-sm font-medium" htmlFor="system-prompt">
          System prompt
        </label>
        <textarea
          id="system-prompt"
          className="field min-h-20"
          placeholder="For example: answer briefly, in French."
          value={conversation.systemPrompt}
          onChange={(e) => actions.setSystemPrompt(conversation.id, e.target.value)}
        />
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            className="btn-ghost border border-zinc-300 dark:border-zinc-700"
            onClick={() =>
              download(fileName(conversation, 'md'), 'text/markdown', toMarkdown(conversation))
            }
          >
            Export Markdown
          </button>
          <button
            type="button"
            className="btn-ghost border border-zinc-300 dark:border-zinc-700"
            onClick={() =>
              download(fileName(conversation, 'json'), 'application/json', toJson([conversation]))
            }
          >
            Export JSON
          </button>
        </div>
      </div>
    </section>
  );
}
