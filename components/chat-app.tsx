'use client';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslations } from 'next-intl';
import { useChat } from '@/hooks/use-chat';
import { useShortcuts } from '@/hooks/use-shortcuts';
import { Sidebar } from '@/components/sidebar';
import { ConversationView } from '@/components/conversation-view';
import { Composer } from '@/components/composer';
import { ThemeToggle } from '@/components/theme-toggle';
import { DemoBanner } from '@/components/demo-banner';
import { MenuIcon, SettingsIcon } from '@/components/icons';
import { LiveAnnouncer } from '@/components/live-announcer';
import { preloadMarkdown } from '@/components/markdown';
import { useSidebarCollapsed } from '@/hooks/use-sidebar-collapsed';
import {
  DEFAULT_ATTACHMENT_LIMITS,
  useAttachments,
  type AttachmentLimits,
} from '@/hooks/use-attachments';
import { imageCount } from '@/lib/client/attachments/content';
import { hasStreaming, seesImages, shownPath } from '@/lib/client/store';
import { VisionNotice } from '@/components/vision-notice';
import { OfflineNotice } from '@/components/offline-notice';
import { useOnline } from '@/hooks/use-media';
import { useWakeLock } from '@/hooks/use-wake-lock';
import { registerServiceWorker } from '@/lib/client/service-worker';

/** Loaded the first time Settings opens. */
const ChatSettings = lazy(() => import('@/components/chat-settings'));

export function ChatApp({
  demo,
  limits,
}: {
  demo: boolean;
  /** The server's limits the UI checks before sending (MAX_MESSAGE_CHARS, attachments). */
  limits?: { maxMessageChars: number; attachments?: AttachmentLimits };
}) {
  const t = useTranslations();
  const chat = useChat();
  const { active, actions } = chat;
  const [drawer, setDrawer] = useState(false);
  const [settings, setSettings] = useState(false);
  /** Compare mode: the second model each message is also sent to (null: off). */
  const [compareWith, setCompareWith] = useState<string | null>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const openDrawer = useRef<HTMLButtonElement>(null);
  const drawerPanel = useRef<HTMLDivElement>(null);
  const [collapsed, setCollapsed] = useSidebarCollapsed();

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

  useShortcuts(composer, chat.streaming);
  // The screen stays on while a reply of the open chat streams (any version, compared answers).
  useWakeLock(!!active && hasStreaming(active));
  const online = useOnline();
  useEffect(registerServiceWorker, []);

  // Typing at once goes to the message box (not on touch screens: it would open the keyboard).
  // The first keystroke there fetches the markdown renderer, ready before the reply's first token.
  useEffect(() => {
    const box = composer.current;
    if (matchMedia('(pointer: fine)').matches) box?.focus();
    box?.addEventListener('input', preloadMarkdown, { once: true });
    return () => box?.removeEventListener('input', preloadMarkdown);
  }, []);

  // The tab is named after the open chat.
  const title = active?.title;
  useEffect(() => {
    document.title = title ? `${title} · StreamChat` : 'StreamChat';
  }, [title]);

  // The open chat is in the URL hash, so a reload (or a link) reopens it.
  useEffect(() => {
    if (!chat.ready) return;
    const hash = chat.activeId ? `#${chat.activeId}` : '';
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${hash}`);
  }, [chat.ready, chat.activeId]);

  const models = chat.models?.models ?? [];
  const model = active?.model ?? chat.models?.default ?? '';
  const systemPrompt = active ? active.systemPrompt : chat.draftSystemPrompt;

  const imagesInBranch = active ? imageCount(shownPath(active)) : 0;
  const files = useAttachments(limits?.attachments ?? DEFAULT_ATTACHMENT_LIMITS, imagesInBranch);
  const [dropping, setDropping] = useState(false);
  // Images go only to models that see: said before sending, with the models that can. New
  // images hold Send back; the chat's earlier ones are left out of what such a model is sent.
  const newImages = files.pending.some((p) => p.image);
  const targets = compareWith !== null && compareWith !== model ? [model, compareWith] : [model];
  const blind =
    imagesInBranch > 0 || newImages ? targets.filter((id) => !seesImages(models, id)) : [];
  const visionNotice =
    blind.length > 0 ? (
      <VisionNotice
        blind={blind}
        leftOut={!newImages}
        seeing={models.filter((m) => m.vision).map((m) => m.id)}
        onUse={(id) => (blind.includes(model) ? actions.setModel(id) : setCompareWith(id))}
      />
    ) : undefined;

  return (
    <div className="flex h-dvh overflow-hidden">
      <a
        inert={drawer}
        href="#message"
        className="sr-only z-50 rounded-md bg-blue-600 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:outline-2 focus:outline-offset-2 focus:outline-blue-600"
        onClick={(e) => {
          e.preventDefault(); // the URL's hash names the open chat
          composer.current?.focus();
        }}
      >
        {t('app.skipToMessage')}
      </a>
      <aside
        className={`hidden w-72 shrink-0 border-r border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/50 ${collapsed ? '' : 'md:block'}`}
      >
        <Sidebar
          conversations={chat.conversations}
          activeId={chat.activeId}
          onNavigate={() => {}}
          onHide={() => setCollapsed(true)}
        />
      </aside>
      {drawer && (
        <div
          className="fixed inset-0 z-40 md:hidden"
          role="dialog"
          aria-modal="true"
          aria-label={t('app.chats')}
          onKeyDown={(e) => e.key === 'Escape' && closeDrawer()}
        >
          <button
            type="button"
            aria-label={t('app.closeSidebar')}
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
        <header className="flex items-center gap-2 border-b border-zinc-200 px-3 py-1.5 dark:border-zinc-800">
          <button
            ref={openDrawer}
            type="button"
            className="btn-ghost md:hidden"
            aria-label={t('app.openSidebar')}
            aria-expanded={drawer}
            onClick={() => setDrawer(true)}
          >
            <MenuIcon />
          </button>
          {collapsed && (
            <button
              type="button"
              className="btn-ghost hidden md:inline-flex"
              aria-label={t('app.showSidebar')}
              data-sidebar-toggle="show"
              onClick={() => setCollapsed(false)}
            >
              <MenuIcon />
            </button>
          )}
          <div className="min-w-0 flex-1">
            <h1 className="truncate leading-snug font-semibold">
              {active?.title ?? t('app.newChat')}
            </h1>
            <div className="flex min-w-0 items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
              {models.length > 0 && (
                <select
                  aria-label={t('app.model')}
                  value={model}
                  onChange={(e) => actions.setModel(e.target.value)}
                  className="-ml-1 [field-sizing:content] max-w-full min-w-0 truncate rounded bg-transparent py-0.5 pr-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:bg-zinc-950 dark:hover:bg-zinc-800"
                >
                  {models.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.id}
                    </option>
                  ))}
                </select>
              )}
              {models.length > 1 && (
                <button
                  type="button"
                  aria-pressed={compareWith !== null}
                  title={t('app.compareTitle')}
                  className="shrink-0 rounded px-1 py-0.5 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 aria-pressed:text-blue-700 dark:hover:bg-zinc-800 dark:aria-pressed:text-blue-300"
                  onClick={() =>
                    setCompareWith((on) =>
                      on !== null ? null : (models.find((m) => m.id !== model)?.id ?? null),
                    )
                  }
                >
                  {t('app.compare')}
                </button>
              )}
              {compareWith !== null && (
                <select
                  aria-label={t('app.compareWith')}
                  value={compareWith}
                  onChange={(e) => setCompareWith(e.target.value)}
                  className="[field-sizing:content] min-w-0 truncate rounded bg-transparent py-0.5 pr-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:bg-zinc-950 dark:hover:bg-zinc-800"
                >
                  {models
                    .filter((m) => m.id !== model)
                    .map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.id}
                      </option>
                    ))}
                </select>
              )}
              {systemPrompt.trim() && !settings && (
                <button
                  type="button"
                  className="shrink-0 rounded px-1 py-0.5 text-blue-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-blue-600 dark:text-blue-300 dark:hover:bg-zinc-800"
                  title={systemPrompt}
                  onClick={() => setSettings(true)}
                >
                  {t('app.systemPromptOn')}
                </button>
              )}
            </div>
          </div>
          <button
            type="button"
            className="btn-ghost"
            aria-expanded={settings}
            onClick={() => setSettings((s) => !s)}
          >
            <SettingsIcon />
            <span className="sr-only sm:not-sr-only">{t('app.settings')}</span>
          </button>
          <ThemeToggle />
        </header>
        <main
          id="chat"
          className="relative flex min-h-0 flex-1 flex-col"
          onDragOver={(e) => {
            if (!e.dataTransfer.types.includes('Files')) return;
            e.preventDefault();
            e.dataTransfer.dropEffect = 'copy';
            setDropping(true);
          }}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false);
          }}
          onDrop={(e) => {
            if (!e.dataTransfer.types.includes('Files')) return;
            e.preventDefault();
            setDropping(false);
            files.add([...e.dataTransfer.files]);
            composer.current?.focus();
          }}
        >
          {dropping && (
            <div className="pointer-events-none absolute inset-2 z-30 grid place-items-center rounded-2xl border-2 border-dashed border-blue-600 bg-blue-50/90 text-lg font-medium text-blue-800 dark:bg-blue-950/90 dark:text-blue-200">
              {t('app.dropFiles')}
            </div>
          )}
          {demo && <DemoBanner />}
          {settings && (
            <Suspense fallback={null}>
              <ChatSettings />
            </Suspense>
          )}
          <ConversationView
            conversation={active}
            reconnecting={chat.reconnecting}
            onExample={(text) => actions.send(text)}
          />
          <Composer
            ref={composer}
            streaming={chat.streaming}
            onSend={(text, sent) =>
              compareWith !== null && compareWith !== model
                ? actions.sendCompare(text, [model, compareWith], sent)
                : actions.send(text, sent)
            }
            attachments={files}
            blocked={!online ? <OfflineNotice /> : newImages ? visionNotice : undefined}
            notice={newImages ? undefined : visionNotice}
            onStop={() => actions.stop()}
            maxMessageChars={limits?.maxMessageChars}
          />
        </main>
      </div>
      <LiveAnnouncer conversation={active} />
    </div>
  );
}
