/**
 * Shows the theme choice on the document (`data-theme`, read by app.css; absent = follow
 * `prefers-color-scheme`). The choice is mirrored to localStorage so main.ts can apply it before
 * the first paint: IndexedDB, where Settings keeps it, opens only after the first render.
 */
import { createLogger } from '../log';
import type { ThemeChoice } from '../features/settings/settings-rules';
import { isThemeChoice } from '../features/settings/settings-rules';

const log = createLogger('theme');

/** localStorage key of the theme mirror. */
export const THEME_STORAGE_KEY = 'parley:theme';

/** Applies a theme to the document and remembers it for the next start. */
export function showTheme(theme: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch (error) {
    log.debug('localStorage refused the theme', error);
  }
}

/** Applies the remembered theme (at start-up, before mounting). */
export function showRememberedTheme(root: HTMLElement = document.documentElement): void {
  let remembered: string | null = null;
  try {
    remembered = localStorage.getItem(THEME_STORAGE_KEY);
  } catch (error) {
    log.debug('localStorage is not readable', error);
  }
  if (isThemeChoice(remembered) && remembered !== 'system') root.dataset.theme = remembered;
}
