import { afterEach, describe, expect, it } from 'vitest';
import { chooseLocale } from './locales';
import {
  LANGUAGE_STORAGE_KEY,
  currentLocale,
  formatListTime,
  formatNumber,
  formatTime,
  t,
  tp,
  type MessageKey,
} from './i18n';
import { setLanguage } from './language-switch';

// testing/setup.ts loads English (both parts) before every test file.
afterEach(async () => {
  await setLanguage('en', false);
});

describe('t', () => {
  it('fills placeholders, numbers written the language’s way, and leaves unknown ones', () => {
    expect(t('nav.unreadLabel', { title: 'Alice', count: 3 })).toBe('Alice, 3 unread');
    expect(t('conversation.archived', { count: 1234 })).toBe('Archived (1,234)');
    // A key computed at run time takes any parameters; a missing one stays visible.
    const computed = (key: MessageKey): MessageKey => key;
    expect(t(computed('conversation.archived'), {})).toBe('Archived ({count})');
  });
});

describe('switching the language', () => {
  it('changes every string and Intl format at once, without a reload', async () => {
    expect(t('settings.title')).toBe('Settings');
    await setLanguage('zh-CN', false);
    expect(currentLocale()).toBe('zh-CN');
    expect(t('settings.title')).toBe('设置');
    expect(t('nav.newRoom')).toBe('新建房间');
    expect(t('room.memberYou', { name: 'Alice' })).toBe('Alice（你）');
    expect(formatNumber(1234.5)).toBe(new Intl.NumberFormat('zh-CN').format(1234.5));
    const at = new Date(2024, 2, 14, 15, 5).getTime();
    expect(formatTime(at)).toBe(
      new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit' }).format(at),
    );
    await setLanguage('en', false);
    expect(t('settings.title')).toBe('Settings');
  });

  it('remembers the choice only when asked to', async () => {
    const stored: Record<string, string> = {};
    const storage = {
      getItem: (key: string) => stored[key] ?? null,
      setItem: (key: string, value: string) => void (stored[key] = value),
    };
    const previous = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
    try {
      await setLanguage('zh-CN', false);
      expect(stored[LANGUAGE_STORAGE_KEY]).toBeUndefined();
      await setLanguage('zh-CN');
      expect(stored[LANGUAGE_STORAGE_KEY]).toBe('zh-CN');
    } finally {
      if (previous) Object.defineProperty(globalThis, 'localStorage', previous);
      else Reflect.deleteProperty(globalThis, 'localStorage');
    }
  });
});

describe('tp (plurals by Intl.PluralRules)', () => {
  it('picks the form the language’s rules name for the count', async () => {
    expect(tp('typing.others', 1, { first: 'Ann' })).toBe('Ann and 1 other are typing…');
    expect(tp('typing.others', 2, { first: 'Ann' })).toBe('Ann and 2 others are typing…');
    expect(tp('typing.others', 0, { first: 'Ann' })).toBe('Ann and 0 others are typing…');
    await setLanguage('zh-CN', false);
    // Chinese has one form ("other") for every count.
    expect(new Intl.PluralRules('zh-CN').select(1)).toBe('other');
    expect(tp('typing.others', 1, { first: 'Ann' })).toBe('Ann 和其他 1 人正在输入…');
  });
});

describe('chooseLocale', () => {
  it('keeps a remembered choice Parley still has, else follows the browser’s languages', () => {
    expect(chooseLocale('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(chooseLocale('tlh', ['en-US'])).toBe('en');
    expect(chooseLocale(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(chooseLocale(null, ['de-DE', 'zh-TW', 'en'])).toBe('zh-CN');
    expect(chooseLocale(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(chooseLocale(null, ['fr', 'de'])).toBe('en');
    expect(chooseLocale(null, [])).toBe('en');
  });
});

describe('formatListTime', () => {
  // Local wall-clock times, so the buckets hold in any time zone the tests run in.
  const now = new Date(2024, 2, 14, 15, 30).getTime(); // Thursday 14 March 2024, 15:30
  const at = (month: number, day: number, hour = 9, year = 2024): number =>
    new Date(year, month, day, hour, 5).getTime();
  const weekday = (ms: number) =>
    new Intl.DateTimeFormat(undefined, { weekday: 'short' }).format(ms);

  it('shows the time for today, from just after midnight to later today', () => {
    expect(formatListTime(at(2, 14, 0), now)).toBe(formatTime(at(2, 14, 0)));
    expect(formatListTime(at(2, 14, 23), now)).toBe(formatTime(at(2, 14, 23)));
  });

  it('shows the weekday from yesterday back to six days ago', () => {
    expect(formatListTime(at(2, 13, 23), now)).toBe(weekday(at(2, 13, 23)));
    expect(formatListTime(at(2, 8), now)).toBe(weekday(at(2, 8)));
    expect(formatListTime(at(2, 8), now)).not.toBe(formatListTime(at(2, 13), now));
  });

  it('shows the date a week ago and earlier, with the year only for another year', () => {
    const lastWeek = formatListTime(at(2, 7), now);
    expect(lastWeek).toBe(
      new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }).format(at(2, 7)),
    );
    expect(lastWeek).not.toBe(weekday(at(2, 7)));
    expect(formatListTime(at(11, 30, 9, 2023), now)).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: 'short' }).format(at(11, 30, 9, 2023)),
    );
    expect(formatListTime(at(11, 30, 9, 2023), now)).toMatch(/23/);
  });

  it('shows a date, not a weekday, for a day ahead (a peer’s clock running fast)', () => {
    expect(formatListTime(at(2, 15), now)).toBe(
      new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }).format(at(2, 15)),
    );
  });
});
