import { expect, type Locator, type Page } from '@playwright/test';

/** The chat page as a person sees it: found by role and accessible name. */
export class ChatPage {
  readonly message: Locator;
  readonly send: Locator;
  readonly stop: Locator;

  constructor(readonly page: Page) {
    this.message = page.getByRole('textbox', { name: 'Message' });
    this.send = page.getByRole('button', { name: 'Send', exact: true });
    this.stop = page.getByRole('button', { name: 'Stop', exact: true });
  }

  async goto(url: string) {
    await this.page.goto(url);
    await expect(this.message).toBeEditable();
  }

  async ask(text: string) {
    await this.message.fill(text);
    await this.send.click();
  }

  /** The last assistant message. */
  answer(): Locator {
    return this.page.getByRole('article', { name: 'Assistant' }).last();
  }

  answerText(): Promise<string> {
    return this.answer().getByTestId('assistant-text').innerText();
  }

  async waitForStatus(status: 'done' | 'stopped' | 'error') {
    await expect(this.answer()).toHaveAttribute('data-status', status, { timeout: 20_000 });
  }
}
