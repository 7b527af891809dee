/**
 * The pure pieces of the HTTP guards: Host matching (ALLOWED_HOSTS), the access-code guessing
 * limit (fake clock), TRUST_PROXY parsing, and Retry-After clamping.
 */
import { describe, expect, it } from 'vitest';
import { hostAllowed, splitHost } from '@/lib/http/hosts';
import { guessLimiter } from '@/lib/http/guess-limit';
import { compileTrust } from '@/lib/http/client-key';
import { ApiError } from '@/lib/http/api-error';
import { MAX_RETRY_AFTER_S, retryAfterSeconds } from '@/lib/llm/errors';

describe('hostAllowed', () => {
  it('splits names and ports, IPv6 included', () => {
    expect(splitHost('Example.COM:8080')).toEqual({ name: 'example.com', port: '8080' });
    expect(splitHost('[::1]:3000')).toEqual({ name: '::1', port: '3000' });
    expect(splitHost('[::1]')).toEqual({ name: '::1', port: undefined });
    expect(splitHost('localhost')).toEqual({ name: 'localhost', port: undefined });
  });

  it('allows everything with an empty list, nothing without a Host', () => {
    expect(hostAllowed('anything.example', [])).toBe(true);
    expect(hostAllowed(null, ['a.example'])).toBe(false);
  });

  it('matches names on any port, name:port exactly, and *.domain subdomains', () => {
    const allowed = ['chat.example.com', 'localhost:3000', '*.internal.example'];
    expect(hostAllowed('chat.example.com', allowed)).toBe(true);
    expect(hostAllowed('CHAT.example.com:8443', allowed)).toBe(true);
    expect(hostAllowed('chat.example.com.', allowed)).toBe(true);
    expect(hostAllowed('localhost:3000', allowed)).toBe(true);
    expect(hostAllowed('localhost:3001', allowed)).toBe(false);
    expect(hostAllowed('a.internal.example', allowed)).toBe(true);
    expect(hostAllowed('internal.example', allowed)).toBe(false);
    expect(hostAllowed('evilinternal.example', allowed)).toBe(false);
    expect(hostAllowed('chat.example.com.evil.test', allowed)).toBe(false);
    expect(hostAllowed('rebound.example', allowed)).toBe(false);
  });
});

describe('guessLimiter', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };
  const status = (fn: () => void): number => {
    try {
      fn();
      return 0;
    } catch (error) {
      return (error as ApiError).status;
    }
  };

  it('locks one address after perAddress wrong codes until the minute ends', () => {
    const c = clock();
    const limiter = guessLimiter({ perAddress: 3, global: 100, slowMs: 2000 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(status(() => limiter.check('a'))).toBe(0);
      limiter.failed('a');
    }
    expect(status(() => limiter.check('a'))).toBe(429);
    expect(status(() => limiter.check('b'))).toBe(0);
    c.advance(59_000);
    expect(status(() => limiter.check('a'))).toBe(429);
    c.advance(1_000);
    expect(status(() => limiter.check('a'))).toBe(0);
  });

  it('slows everyone to one try per slowMs after `global` wrong codes, whatever the address', () => {
    const c = clock();
    const limiter = guessLimiter({ perAddress: 100, global: 5, slowMs: 2000 }, c.now);
    for (let i = 0; i < 5; i++) {
      limiter.check(`a${i}`);
      limiter.failed(`a${i}`);
    }
    expect(status(() => limiter.check('fresh-1'))).toBe(0);
    expect(status(() => limiter.check('fresh-2'))).toBe(429);
    c.advance(1_999);
    expect(status(() => limiter.check('fresh-3'))).toBe(429);
    c.advance(1);
    expect(status(() => limiter.check('fresh-4'))).toBe(0);
    // A new minute starts afresh.
    c.advance(60_000);
    expect(status(() => limiter.check('x'))).toBe(0);
    expect(status(() => limiter.check('y'))).toBe(0);
  });

  it('answers a Retry-After of at least one second', () => {
    const c = clock();
    const limiter = guessLimiter({ perAddress: 1, global: 100, slowMs: 2000 }, c.now);
    limiter.failed('a');
    try {
      limiter.check('a');
      expect.unreachable();
    } catch (error) {
      expect(Number((error as ApiError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('compileTrust (TRUST_PROXY)', () => {
  it('trusts nobody by default', () => {
    for (const v of [undefined, '', 'false', '0'])
      expect(compileTrust(v)('127.0.0.1', 0)).toBe(false);
  });
  it('a number trusts that many hops from the socket', () => {
    const trust = compileTrust('2');
    expect([0, 1, 2].map((hop) => trust('203.0.113.9', hop))).toEqual([true, true, false]);
  });
  it('a list trusts those addresses and ranges only', () => {
    const trust = compileTrust('loopback, 10.0.0.0/8');
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('::ffff:127.0.0.1', 0)).toBe(true);
    expect(trust('10.2.3.4', 1)).toBe(true);
    expect(trust('192.0.2.1', 0)).toBe(false);
  });
  it('refuses nonsense', () => {
    expect(() => compileTrust('not-an-address')).toThrow();
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds and HTTP dates and clamps them to a sane bound', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds('0.2')).toBe(1);
    expect(retryAfterSeconds('-5')).toBe(0);
    expect(retryAfterSeconds('999999999999')).toBe(MAX_RETRY_AFTER_S);
    expect(retryAfterSeconds(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25);
    expect(retryAfterSeconds(new Date(Date.now() + 1e12).toUTCString())).toBe(MAX_RETRY_AFTER_S);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
