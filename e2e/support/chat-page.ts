import { expect, type Locator, type Page } from '@playwright/test';

/** The chat page as a person sees it: found by role and accessible name. */
export class ChatPage {
  readonly message: Locator;
  readonly send: Locator;
  readonly stop: Locator;
  /** The sidebar's list of conversations (in the drawer on a phone). */
  readonly history: Locator;
  readonly newChat: Locator;
  readonly search: Locator;
  /** The open chat's title, in the header. */
  readonly title: Locator;
  readonly model: Locator;
  readonly settings: Locator;
  readonly systemPrompt: Locator;
  readonly theme: Locator;
  readonly examples: Locator;
  readonly announcer: Locator;
  readonly jumpToLatest: Locator;
  /** What the sidebar says after an import. */
  readonly sidebarStatus: Locator;

  constructor(readonly page: Page) {
    this.message = page.getByRole('textbox', { name: 'Message' });
    this.send = page.getByRole('button', { name: 'Send', exact: true });
    this.stop = page.getByRole('button', { name: 'Stop', exact: true });
    this.history = page.getByRole('list', { name: 'Chat history' });
    this.newChat = page.getByRole('button', { name: 'New chat', exact: true });
    this.search = page.getByRole('searchbox', { name: 'Search chats' });
    this.title = page.getByRole('heading', { level: 1 });
    this.model = page.getByRole('combobox', { name: 'Model' });
    this.settings = page.getByRole('button', { name: 'Settings', exact: true });
    this.systemPrompt = page.getByRole('textbox', { name: 'System prompt' });
    this.theme = page.getByRole('button', { name: /^Theme:/ });
    this.examples = page.getByRole('list', { name: 'Example prompts' });
    this.announcer = page.getByTestId('announcer');
    this.jumpToLatest = page.getByRole('button', { name: 'Jump to latest' });
    this.sidebarStatus = page.getByRole('navigation', { name: 'Chats' }).getByRole('status');
  }

  async goto(url: string) {
    await this.page.goto(url);
    await expect(this.message).toBeEditable();
  }

  async ask(text: string) {
    await this.message.fill(text);
    await this.send.click();
  }

  /** Asks and waits until the reply is complete. */
  async askAndWait(text: string) {
    const before = await this.assistantMessages().count();
    await this.ask(text);
    await expect(this.assistantMessages()).toHaveCount(before + 1);
    await this.waitForStatus('done');
  }

  /** The last assistant message. */
  answer(): Locator {
    return this.assistantMessages().last();
  }

  answerText(): Promise<string> {
    return this.answer().getByTestId('assistant-text').innerText();
  }

  /** Waits until the last answer reads exactly `text` (it renders once its renderer loaded). */
  async expectAnswer(text: string) {
    await expect.poll(() => this.answerText()).toBe(text);
  }

  assistantMessages(): Locator {
    return this.page.getByRole('article', { name: 'Assistant' });
  }

  userMessages(): Locator {
    return this.page.getByRole('article', { name: 'You' });
  }

  /** The text of each user message, without its buttons. */
  userTexts(): Locator {
    return this.userMessages().locator(':scope > div:first-child');
  }

  /** Time to first token, speed and token usage under a finished reply. */
  figures(): Locator {
    return this.answer().getByTestId('figures');
  }

  /** The sidebar entry of a conversation, named by its title. */
  chat(title: string): Locator {
    return this.history.getByRole('button', { name: title, exact: true });
  }

  async rename(title: string, next: string) {
    await this.history.getByRole('button', { name: `Rename ${title}`, exact: true }).click();
    const box = this.history.getByRole('textbox', { name: 'Chat title' });
    await expect(box).toBeFocused();
    await box.fill(next);
    await box.press('Enter');
    await expect(this.chat(next)).toBeVisible();
  }

  /** Deletes a conversation (at once: the sidebar then offers Undo for a few seconds). */
  async remove(title: string) {
    await this.history.getByRole('button', { name: `Delete ${title}`, exact: true }).click();
    await expect(this.sidebarStatus).toHaveText(`Deleted “${title}”.`);
  }

  /** The sidebar's Undo after a delete. */
  undo(): Locator {
    return this.page
      .getByRole('navigation', { name: 'Chats' })
      .getByRole('button', { name: 'Undo' });
  }

  /** Waits until the last answer has ended this way and shows its text. */
  async waitForStatus(status: 'done' | 'stopped' | 'error') {
    await expect(this.answer()).toHaveAttribute('data-status', status, { timeout: 30_000 });
    // A reply with text (it has a Copy button) shows it once the markdown renderer, which is
    // loaded on demand, is there, and once its finished blocks (`content-visibility: auto`) are
    // laid out again: until then their innerText is empty.
    if (
      await this.answer()
        .getByRole('button', { name: /^Cop(y|ied)$/ })
        .count()
    ) {
      await expect.poll(() => this.answerText()).not.toBe('');
    }
  }

  /** The element that scrolls the conversation. */
  scroller(): Locator {
    return this.page.getByRole('region', { name: 'Conversation' }).locator('xpath=..');
  }

  /** How far the conversation is scrolled from its bottom, in pixels. */
  distanceFromBottom(): Promise<number> {
    return this.scroller().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
  }

  /** Records every text the live region holds from now on. */
  async recordAnnouncements() {
    await this.announcer.evaluate((el) => {
      const seen: string[] = [el.textContent ?? ''];
      (window as unknown as { __announced: string[] }).__announced = seen;
      new MutationObserver(() => {
        const text = el.textContent ?? '';
        if (seen.at(-1) !== text) seen.push(text);
      }).observe(el, { childList: true, characterData: true, subtree: true });
    });
  }

  announcements(): Promise<string[]> {
    return this.page.evaluate(() => (window as unknown as { __announced: string[] }).__announced);
  }
}

/** `w0 w1 … w{n-1}`: with `[[echo]]`, a reply whose every word can be checked. */
export function words(n: number): string {
  return Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
}

export interface SimRequest {
  tag: string | undefined;
  model: string;
  status: number;
  clientClosed: boolean;
  tokensSent: number;
  /** The system message it carried. */
  system: string | undefined;
  /** The conversation it carried (each image's type, bytes and pixel size; each file's name). */
  messages: {
    role: string;
    content: string;
    images: { mediaType: string; bytes: number; width?: number; height?: number }[];
    files: string[];
  }[];
}

/** The requests that reached the test model with this `[[tag:…]]`, from its request log. */
export async function simRequests(tag: string): Promise<SimRequest[]> {
  const res = await fetch(`${process.env.SIMULATOR_URL}/_stats`);
  const { requests } = (await res.json()) as { requests: SimRequest[] };
  return requests.filter((r) => r.tag === tag);
}

/**
 * Counts the page's EventSources and how many are still open; install with
 * `page.addInitScript(trackEventSources)` before the page loads.
 */
export function trackEventSources() {
  const all: EventSource[] = [];
  (window as unknown as { __eventSources: EventSource[] }).__eventSources = all;
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      all.push(this);
    }
  };
}

export function openEventSources(page: Page): Promise<{ created: number; open: number }> {
  return page.evaluate(() => {
    const all = (window as unknown as { __eventSources: EventSource[] }).__eventSources;
    return {
      created: all.length,
      open: all.filter((es) => es.readyState !== EventSource.CLOSED).length,
    };
  });
}
