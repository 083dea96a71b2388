import { describe, expect, it } from 'vitest';
import { formatListTime, formatTime, t } from './i18n';

describe('t', () => {
  it('fills placeholders and leaves unknown ones as they are', () => {
    expect(t('nav.unreadLabel', { title: 'Alice', count: 3 })).toBe('Alice, 3 unread');
    expect(t('conversation.archived', {})).toBe('Archived ({count})');
  });
});

describe('catalogs loaded on demand', () => {
  it('add their strings when a screen’s module loads, and share no key with the first screen’s', async () => {
    expect(t('settings.title')).toBe('settings.title');
    const [{ en }, { enMore }] = await Promise.all([import('./en'), import('./en-more')]);
    expect(t('settings.title')).toBe('Settings');
    expect(t('calls.hangUp')).toBe('Hang up');
    const keys = [en, enMore].flatMap((catalog) => Object.keys(catalog));
    expect(new Set(keys).size).toBe(keys.length);
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
