/**
 * The languages Parley speaks. Adding one is one new file in locales/ (a `Catalog`, see
 * messages.ts and zh-CN.ts) plus one line here; the build splits it into its first-screen part and
 * the rest (scripts/vite-plugin-catalogs.mjs) like every other.
 */
export const LOCALES = [
  { code: 'en', name: 'English' },
  { code: 'zh-CN', name: '简体中文' },
] as const;

/** A language Parley has a catalog for (a BCP 47 tag, also used for `<html lang>` and `Intl`). */
export type LocaleCode = (typeof LOCALES)[number]['code'];

/** The language used when nothing the browser asks for matches. */
export const DEFAULT_LOCALE: LocaleCode = 'en';

/** Whether `value` names a language Parley has. */
export function isLocaleCode(value: unknown): value is LocaleCode {
  return LOCALES.some((locale) => locale.code === value);
}

/**
 * The language to show: the person's own choice if it is still one Parley has, else the first of
 * the browser's languages (`navigator.languages`, most wanted first) that matches a catalog —
 * exactly, then by language alone ("zh-TW", "zh-Hans-SG" and "zh" read Simplified Chinese rather
 * than fall back to English) — else English.
 */
export function chooseLocale(stored: string | null, wanted: readonly string[]): LocaleCode {
  if (isLocaleCode(stored)) return stored;
  for (const tag of wanted) {
    const exact = LOCALES.find((locale) => locale.code.toLowerCase() === tag.toLowerCase());
    if (exact) return exact.code;
    const language = tag.split('-')[0]?.toLowerCase();
    const sameLanguage = LOCALES.find((locale) => locale.code.split('-')[0] === language);
    if (sameLanguage) return sameLanguage.code;
  }
  return DEFAULT_LOCALE;
}
