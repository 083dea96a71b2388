/**
 * Import this (for its effect) from every module that shows a string of the on-demand part of the
 * catalog (locales/en.ts `onDemand`): the module then runs only once those strings are loaded in
 * the language shown. Only modules loaded on demand may import it — in the first screen its
 * top-level `await` would hold up the first render (tests/lint/catalogs.test.ts).
 */
import { loadRestStrings } from './language-switch';

await loadRestStrings();
