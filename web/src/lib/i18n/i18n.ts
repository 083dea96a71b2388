import { en } from './en';
import type { enMore } from './en-more';

/**
 * A key of the UI catalog: the first screen's strings (en.ts) and those of screens loaded on
 * demand (en-more.ts), which add themselves when the first such screen loads.
 */
export type MessageKey = keyof typeof en | keyof typeof enMore;

/** Values substituted for `{name}` placeholders. */
export type MessageParams = Record<string, string | number>;

const catalog: Partial<Record<MessageKey, string>> = { ...en };

/** Adds the strings of screens loaded on demand (called by en-more.ts). */
export function addMessages(messages: Partial<Record<MessageKey, string>>): void {
  Object.assign(catalog, messages);
}

/** Looks up a UI string and fills its `{placeholders}`; a string not loaded yet shows its key. */
export function t(key: MessageKey, params?: MessageParams): string {
  const template = catalog[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** Short local time of day, e.g. "14:05". */
export function formatTime(ms: number): string {
  return timeFormat.format(ms);
}

/** Full local date and time, for tooltips and `<time>` titles. */
export function formatDateTime(ms: number): string {
  return dateTimeFormat.format(ms);
}

const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dayMonthFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const shortDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });

/** Local calendar days from `fromMs` to `toMs` (0 on the same day; DST days count as one). */
function calendarDaysBetween(fromMs: number, toMs: number): number {
  const from = new Date(fromMs);
  const to = new Date(toMs);
  const fromDay = new Date(from.getFullYear(), from.getMonth(), from.getDate()).getTime();
  const toDay = new Date(to.getFullYear(), to.getMonth(), to.getDate()).getTime();
  return Math.round((toDay - fromDay) / 86_400_000);
}

/**
 * When a conversation was last active, as the list shows it: the time today, the weekday within
 * the past six days, else the date (with the year only when it is not this year's).
 */
export function formatListTime(ms: number, nowMs: number): string {
  const days = calendarDaysBetween(ms, nowMs);
  if (days === 0) return formatTime(ms);
  if (days > 0 && days < 7) return weekdayFormat.format(ms);
  const isThisYear = new Date(ms).getFullYear() === new Date(nowMs).getFullYear();
  return (isThisYear ? dayMonthFormat : shortDateFormat).format(ms);
}
