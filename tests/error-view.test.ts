import { describe, expect, it } from 'vitest';
import {
  errorView,
  parseRetryAfter,
  secondsLeft,
  waitText,
  withRetryAt,
} from '@/lib/client/error-view';
import { ERROR_MESSAGES } from '@/lib/llm/errors';

describe('errorView', () => {
  it('hides operator details of a refused API key and offers no Retry', () => {
    const view = errorView({
      code: 'upstream_auth',
      message: ERROR_MESSAGES.upstream_auth,
      retryable: false,
    });
    expect(view.operator).toBe(true);
    expect(view.retry).toBe(false);
    expect(view.text).not.toContain('OPENAI_API_KEY');
    expect(view.text).toContain('Let the person who runs this app know.');
  });
  it('treats a redirect (a wrong base URL) as an operator problem, but not a garbled body', () => {
    const redirect = errorView({
      code: 'bad_upstream_response',
      message: ERROR_MESSAGES.upstream_redirect,
      retryable: false,
    });
    expect(redirect).toMatchObject({ operator: true, retry: false });
    expect(redirect.text).not.toContain('OPENAI_BASE_URL');
    const garbled = errorView({
      code: 'bad_upstream_response',
      message: ERROR_MESSAGES.bad_upstream_response,
      retryable: true,
    });
    expect(garbled).toEqual({
      text: ERROR_MESSAGES.bad_upstream_response,
      retry: true,
      operator: false,
    });
  });
  it('keeps Retry for an unreachable provider, without naming the variable', () => {
    const view = errorView({
      code: 'upstream_unreachable',
      message: ERROR_MESSAGES.upstream_unreachable,
      retryable: true,
    });
    expect(view).toMatchObject({ operator: true, retry: true });
    expect(view.text).not.toContain('OPENAI_BASE_URL');
  });
  it('shows a refused image as the server says it, without Retry (the same request would fail)', () => {
    expect(
      errorView({
        code: 'image_not_supported',
        message: ERROR_MESSAGES.image_not_supported,
        retryable: false,
      }),
    ).toEqual({ text: ERROR_MESSAGES.image_not_supported, retry: false, operator: false });
  });
  it('shows other messages as they are, minus a fixed wait that is shown live instead', () => {
    expect(
      errorView({
        code: 'rate_limited',
        message: `${ERROR_MESSAGES.rate_limited} The provider asks to wait 12 s.`,
        retryable: true,
        retryAfter: 12,
      }).text,
    ).toBe('The model provider is rate limiting requests.');
    expect(
      errorView({ code: 'rate_limited', message: ERROR_MESSAGES.rate_limited, retryable: true })
        .text,
    ).toBe(ERROR_MESSAGES.rate_limited);
    expect(
      errorView({ code: 'http_500', message: 'The server answered 500.', retryable: true }),
    ).toEqual({ text: 'The server answered 500.', retry: true, operator: false });
  });
  it('never leaks a variable name for any server code', () => {
    for (const [code, message] of Object.entries(ERROR_MESSAGES)) {
      if (code === 'upstream_redirect') continue;
      const { text } = errorView({ code, message, retryable: code !== 'upstream_auth' });
      expect(text, code).not.toMatch(/OPENAI_|API key/);
    }
  });
});

describe('waiting before Retry', () => {
  it('counts down from retryAt', () => {
    const e = withRetryAt(
      { code: 'rate_limited', message: '', retryable: true, retryAfter: 12 },
      1000,
    );
    expect(e.retryAt).toBe(13_000);
    expect(secondsLeft(e, 1000)).toBe(12);
    expect(secondsLeft(e, 12_001)).toBe(1);
    expect(secondsLeft(e, 13_000)).toBe(0);
    expect(secondsLeft({ code: 'x', message: '', retryable: true }, 0)).toBe(0);
  });
  it('adds no retryAt without a wait', () => {
    const e = { code: 'x', message: '', retryable: true };
    expect(withRetryAt(e)).toBe(e);
    expect(withRetryAt({ ...e, retryAfter: 0 })).toEqual({ ...e, retryAfter: 0 });
  });
  it('says the wait in seconds, then minutes', () => {
    expect(waitText(12)).toBe('Try again in 12 s');
    expect(waitText(60)).toBe('Try again in 1 min');
    expect(waitText(125)).toBe('Try again in 2 min 5 s');
  });
  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('42')).toBe(42);
    expect(parseRetryAfter(' ')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('99999')).toBe(3600);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
  });
});
