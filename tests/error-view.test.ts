import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  errorView,
  parseRetryAfter,
  secondsLeft,
  waitText,
  withRetryAt,
} from '@/lib/client/error-view';
import { ERROR_MESSAGES } from '@/lib/llm/errors';
import { API_ERRORS } from '@/lib/http/api-error';
import { translator } from './i18n-helpers';

const en = translator('en');
const zh = translator('zh-CN');

describe('errorView', () => {
  it('hides operator details of a refused API key and offers no Retry', () => {
    const error = {
      code: 'upstream_auth',
      message: ERROR_MESSAGES.upstream_auth,
      retryable: false,
    };
    const view = errorView(error, en);
    expect(view.operator).toBe(true);
    expect(view.retry).toBe(false);
    expect(view.text).not.toContain('OPENAI_API_KEY');
    expect(view.text).toContain('Let the person who runs this app know.');
    expect(errorView(error, zh).text).toContain('请告知此应用的管理员');
  });
  it('treats a redirect (a wrong base URL) as an operator problem, but not a garbled body', () => {
    const redirect = errorView(
      {
        code: 'bad_upstream_response',
        message: ERROR_MESSAGES.upstream_redirect,
        retryable: false,
      },
      en,
    );
    expect(redirect).toMatchObject({ operator: true, retry: false });
    expect(redirect.text).not.toContain('OPENAI_BASE_URL');
    const garbled = errorView(
      {
        code: 'bad_upstream_response',
        message: ERROR_MESSAGES.bad_upstream_response,
        retryable: true,
      },
      en,
    );
    expect(garbled).toEqual({
      text: ERROR_MESSAGES.bad_upstream_response,
      retry: true,
      operator: false,
    });
  });
  it('keeps Retry for an unreachable provider, without naming the variable', () => {
    const view = errorView(
      {
        code: 'upstream_unreachable',
        message: ERROR_MESSAGES.upstream_unreachable,
        retryable: true,
      },
      en,
    );
    expect(view).toMatchObject({ operator: true, retry: true });
    expect(view.text).not.toContain('OPENAI_BASE_URL');
  });
  it('says a refused image without Retry (the same request would fail)', () => {
    const error = {
      code: 'image_not_supported',
      message: ERROR_MESSAGES.image_not_supported,
      retryable: false,
    };
    expect(errorView(error, en)).toEqual({
      text: ERROR_MESSAGES.image_not_supported,
      retry: false,
      operator: false,
    });
    expect(errorView(error, zh).text).toBe(
      '这个模型无法识别图片。请选择能识别图片的模型，或去掉图片后发送。',
    );
  });
  it('says "try again in a moment" unless a wait is counted down', () => {
    const limited = {
      code: 'rate_limited',
      message: `${ERROR_MESSAGES.rate_limited} The provider asks to wait 12 s.`,
      retryable: true,
      retryAfter: 12,
    };
    expect(errorView(limited, en).text).toBe('The model provider is rate limiting requests.');
    expect(
      errorView({ code: 'rate_limited', message: ERROR_MESSAGES.rate_limited, retryable: true }, en)
        .text,
    ).toBe(ERROR_MESSAGES.rate_limited);
    expect(errorView(limited, zh).text).toBe('模型服务商正在限制请求频率。');
    expect(
      errorView({ code: 'rate_limited', message: ERROR_MESSAGES.rate_limited, retryable: true }, zh)
        .text,
    ).toBe('模型服务商正在限制请求频率。请稍后再试。');
  });
  it('translates by code, whatever the server said; an unknown code shows its message', () => {
    // The server's message stays English in the API; the page says its own.
    expect(
      errorView({ code: 'upstream_interrupted', message: 'anything', retryable: true }, zh).text,
    ).toBe('回复完成之前，与模型服务商的连接中断了。');
    expect(
      errorView({ code: 'http_500', message: 'The server answered 500.', retryable: true }, zh),
    ).toEqual({ text: '服务器返回了 500。', retry: true, operator: false });
    expect(
      errorView({ code: 'brand_new', message: 'Something new happened.', retryable: true }, zh),
    ).toEqual({ text: 'Something new happened.', retry: true, operator: false });
    expect(
      errorView({ code: 'network', message: 'Could not reach the server.', retryable: true }, zh)
        .text,
    ).toBe('无法连接到服务器。请检查网络连接。');
  });
  it('knows every code the server sends, in every language, never naming a variable', () => {
    const serverCodes = [
      ...Object.keys(ERROR_MESSAGES).filter((c) => c !== 'upstream_redirect'),
      ...Object.keys(API_ERRORS),
      'reply_too_large',
      'server_restarting',
    ];
    expect(serverCodes.filter((c) => !(ERROR_CODES as readonly string[]).includes(c))).toEqual([]);
    for (const t of [en, zh]) {
      for (const code of ERROR_CODES) {
        const { text } = errorView({ code, message: '(server)', retryable: true }, t);
        expect(text, code).not.toMatch(/OPENAI_|API key|\(server\)/);
      }
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
    expect(waitText(12, en)).toBe('Try again in 12 s');
    expect(waitText(60, en)).toBe('Try again in 1 min');
    expect(waitText(125, en)).toBe('Try again in 2 min 5 s');
    expect(waitText(12, zh)).toBe('12 秒后可重试');
    expect(waitText(60, zh)).toBe('1 分后可重试');
    expect(waitText(125, zh)).toBe('2 分 5 秒后可重试');
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
