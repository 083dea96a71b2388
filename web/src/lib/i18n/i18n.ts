/**
 * Looking up and formatting UI text in the language shown (DESIGN §11 "Languages"). Catalogs load
 * per language on demand, each in two parts split at build time (scripts/vite-plugin-catalogs.mjs):
 * the first screen's strings, loaded before the first render (`startLanguage`), and the rest,
 * loaded by the first module that needs one (more.ts). Peer content never passes through here.
 */
import { createLogger } from '../log';
import { activeLanguage } from './language.svelte';
import { chooseLocale, type LocaleCode } from './locales';
import type { MessageKey, Messages, ParamArgs, PluralKey } from './messages';

export type { MessageKey } from './messages';
export type { LocaleCode } from './locales';

const log = createLogger('i18n');

/** Values substituted for `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** localStorage key of the person's language choice (absent: follow the browser). */
export const LANGUAGE_STORAGE_KEY = 'parley:language';

/** Loads one part of one language's catalog. */
export type PartLoader = () => Promise<Partial<Messages>>;
/** The first-screen part of each language's catalog, by file. */
export const firstParts = import.meta.glob<Partial<Messages>>(['./locales/*.ts', '!**/*.test.ts'], {
  query: { part: 'first' },
  import: 'default',
});
/** Loads one part of a language's catalog (the `rest` part: language-switch.ts). */
export function loadPart(
  parts: Record<string, PartLoader>,
  code: LocaleCode,
): Promise<Partial<Messages>> {
  // LOCALES and the files in locales/ are kept in step by tests/lint/catalogs.test.ts.
  return (parts[`./locales/${code}.ts`] as PartLoader)();
}

/** The language shown (a BCP 47 tag). */
export function currentLocale(): LocaleCode {
  return activeLanguage.code;
}

/** Shows the language on the document: `<html lang>` and the web manifest it links. */
export function showOnDocument(code: LocaleCode): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = code;
  // The web manifest in that language (vite.config.ts writes one per language), for installing.
  const manifest = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
  if (manifest)
    manifest.href = code === 'en' ? '/manifest.webmanifest' : `/manifest.${code}.webmanifest`;
}

function rememberedChoice(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch (error) {
    log.debug('localStorage is not readable', error);
    return null;
  }
}

/**
 * Picks the language (the person's choice, else the browser's `navigator.languages`), puts it on
 * `<html lang>` and loads its first-screen strings. main.ts awaits it before mounting.
 */
export async function startLanguage(): Promise<void> {
  const wanted =
    typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  const code = chooseLocale(rememberedChoice(), wanted);
  showOnDocument(code);
  activeLanguage.show(code, await loadPart(firstParts, code));
}

/** Intl formatters of the language shown, by use; emptied when the language changes. */
let formats: Record<string, Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat> = {};
let formatsOf = '';

function format<T extends Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat>(
  name: string,
  make: (code: LocaleCode) => T,
): T {
  const code = activeLanguage.code;
  if (formatsOf !== code) [formats, formatsOf] = [{}, code];
  return (formats[name] ??= make(code)) as T;
}

/** A number as the language shown writes it ("1,234"). */
export function formatNumber(value: number): string {
  return format('number', (code) => new Intl.NumberFormat(code)).format(value);
}

function fill(template: string, params: MessageParams | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(value) : value;
  });
}

/**
 * Looks up a UI string in the language shown and fills its `{placeholders}` (numbers formatted
 * for that language). Parameters are typed from the English string. A string whose part has not
 * loaded shows its key.
 */
export function t<K extends MessageKey>(key: K, ...[params]: ParamArgs<K>): string {
  return fill(activeLanguage.messages[key] ?? key, params);
}

/**
 * A string with plural forms (`base.one`, `base.other`, … as `Intl.PluralRules` names them for
 * the language shown), chosen by `count`, which also fills `{count}`.
 */
export function tp(base: PluralKey, count: number, params?: MessageParams): string {
  const form = format('plural', (code) => new Intl.PluralRules(code)).select(count);
  const messages: Partial<Record<string, string>> = activeLanguage.messages;
  const template = messages[`${base}.${form}`] ?? messages[`${base}.other`] ?? `${base}.other`;
  return fill(template, { ...params, count });
}

function dateFormat(name: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return format(name, (code) => new Intl.DateTimeFormat(code, options));
}

/** Short local time of day, e.g. "14:05". */
export function formatTime(ms: number): string {
  return dateFormat('time', { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** Full local date and time, for tooltips and `<time>` titles. */
export function formatDateTime(ms: number): string {
  return dateFormat('dateTime', { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

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
  if (days > 0 && days < 7) return dateFormat('weekday', { weekday: 'short' }).format(ms);
  const isThisYear = new Date(ms).getFullYear() === new Date(nowMs).getFullYear();
  return isThisYear
    ? dateFormat('dayMonth', { day: 'numeric', month: 'short' }).format(ms)
    : dateFormat('shortDate', { dateStyle: 'short' }).format(ms);
}
