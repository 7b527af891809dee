import { describe, expect, it } from 'vitest';
import { cleanMessage, joinContinuation, lengthStatus } from '@/lib/client/message-text';

describe('cleanMessage', () => {
  it('keeps leading spaces and inner lines, drops trailing whitespace', () => {
    expect(cleanMessage('    indented\n  more\n\n')).toBe('    indented\n  more');
    expect(cleanMessage('\n\nafter blank lines')).toBe('\n\nafter blank lines');
    expect(cleanMessage('tabs\t \n')).toBe('tabs');
  });
  it('is empty for a message of whitespace only', () => {
    expect(cleanMessage('   \n\t ')).toBe('');
    expect(cleanMessage('')).toBe('');
  });
});

describe('lengthStatus', () => {
  it('hides the counter below 90 % of the limit', () => {
    expect(lengthStatus(89_999, 100_000).show).toBe(false);
    expect(lengthStatus(90_000, 100_000)).toEqual({
      show: true,
      over: false,
      count: '90,000 / 100,000',
      excess: 0,
    });
  });
  it('is over only past the limit', () => {
    expect(lengthStatus(100_000, 100_000).over).toBe(false);
    expect(lengthStatus(100_002, 100_000)).toMatchObject({ over: true, excess: 2 });
  });
  it('writes the numbers for the locale', () => {
    expect(lengthStatus(90_000, 100_000, 'de-DE').count).toBe('90.000 / 100.000');
    expect(lengthStatus(90_000, 100_000, 'zh-CN').count).toBe('90,000 / 100,000');
  });
  it('shows nothing without a limit', () => {
    expect(lengthStatus(10, undefined).show).toBe(false);
    expect(lengthStatus(10, 0).over).toBe(false);
  });
});

describe('joinContinuation', () => {
  it('joins mid-word and after whitespace as is', () => {
    expect(joinContinuation('Hel', 'lo world')).toBe('lo world');
    expect(joinContinuation('Hello ', 'world')).toBe('world');
    expect(joinContinuation('w1 w2', ' w3')).toBe(' w3');
  });
  it('puts a space between a finished sentence and the next word', () => {
    expect(joinContinuation('It is done.', 'Next')).toBe(' Next');
    expect(joinContinuation('Wait,', 'then')).toBe(' then');
  });
  it('leaves markdown alone', () => {
    expect(joinContinuation('a list:', '\n- item')).toBe('\n- item');
    expect(joinContinuation('**bold', '** text')).toBe('** text');
    expect(joinContinuation('```ts\ncode', '\n```')).toBe('\n```');
    expect(joinContinuation('', 'Start')).toBe('Start');
  });
});
