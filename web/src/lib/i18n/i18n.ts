import { en, type MessageKey } from './en';

export type { MessageKey };

/** Values substituted for `{name}` placeholders. */
export type MessageParams = Record<string, string | number>;

const catalog: Record<MessageKey, string> = en;

/** Looks up a UI string and fills its `{placeholders}`. */
export function t(key: MessageKey, params?: MessageParams): string {
  const template = catalog[key];
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
