/**
 * The on-demand half of the i18n runtime (not part of the first screen): loading the rest of the
 * catalog of the language shown (more.ts awaits it) and switching the language (Settings).
 */
import { createLogger } from '../log';
import {
  LANGUAGE_STORAGE_KEY,
  firstParts,
  loadPart,
  showOnDocument,
  type LocaleCode,
  type PartLoader,
} from './i18n';
import { activeLanguage } from './language.svelte';
import type { Messages } from './messages';

const log = createLogger('i18n');

/** The on-demand part of each language's catalog, by file. */
const restParts: Record<string, PartLoader> = import.meta.glob<Partial<Messages>>(
  ['./locales/*.ts', '!**/*.test.ts'],
  { query: { part: 'rest' }, import: 'default' },
);

let restLoading: Promise<void> | null = null;

/**
 * Loads the strings of screens shown on demand in the language shown (more.ts awaits it). Never
 * rejects: a catalog that cannot load leaves those strings showing their keys.
 */
export function loadRestStrings(): Promise<void> {
  const code = activeLanguage.code;
  restLoading ??= loadPart(restParts, code).then(
    (rest) => {
      if (activeLanguage.code === code) activeLanguage.add(rest);
    },
    (error: unknown) => {
      restLoading = null;
      log.error('could not load the strings of this screen', error);
    },
  );
  return restLoading;
}

/**
 * Switches the language at once (no reload): loads both parts of its catalog, then every string
 * on screen follows. `remember` keeps the choice for the next start.
 */
export async function setLanguage(code: LocaleCode, remember = true): Promise<void> {
  const [first, rest] = await Promise.all([loadPart(firstParts, code), loadPart(restParts, code)]);
  restLoading = Promise.resolve();
  activeLanguage.show(code, { ...first, ...rest });
  showOnDocument(code);
  if (!remember) return;
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, code);
  } catch (error) {
    log.warn('localStorage refused the language choice', error);
  }
}
