// The build step of the UI catalogs (web/src/lib/i18n, DESIGN §11 "Languages"). Each language is
// one file, web/src/lib/i18n/locales/<code>.ts, holding all its strings. The app imports it as
// `<code>.ts?part=first` (the strings the first screen needs) and `<code>.ts?part=rest` (the
// rest), and this plugin answers each with just that part, so a language's first screen carries
// none of the strings of screens it has not opened. English (en.ts) decides which keys are the
// first screen's: those of its `firstScreen` object. Catalog files are plain data, so they are
// evaluated here (types stripped) rather than parsed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformWithOxc } from 'vite';

const PART_ID = /^(.*[\\/]i18n[\\/]locales[\\/][^\\/]+\.ts)\?part=(first|rest)$/;

/**
 * Evaluates a catalog file and returns its exports.
 * @param {string} file
 * @returns {Promise<Record<string, unknown>>}
 */
async function evaluate(file) {
  const { code } = await transformWithOxc(readFileSync(file, 'utf8'), file, { lang: 'ts' });
  if (/^\s*import\s/m.test(code)) {
    throw new Error(`${file}: a catalog must be plain data (only \`import type\`)`);
  }
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {Record<string, string>}
 */
function asStrings(value, what) {
  if (typeof value !== 'object' || value === null) throw new Error(`${what} is not an object`);
  return /** @type {Record<string, string>} */ (value);
}

/**
 * The chunk name of a catalog part, e.g. `catalog-zh-CN-first` (npm run bench -- bundle finds the
 * first screen's catalog of each language by it).
 * @param {string} id
 * @returns {string | null}
 */
export function catalogChunkName(id) {
  const match = PART_ID.exec(id);
  if (!match) return null;
  return `catalog-${path.basename(match[1] ?? '', '.ts')}-${match[2]}`;
}

/** @returns {import('vite').Plugin} */
export function catalogs() {
  return {
    name: 'parley:catalogs',
    enforce: 'pre',
    async load(id) {
      const match = PART_ID.exec(id);
      if (!match) return null;
      const file = match[1] ?? '';
      const source = path.join(path.dirname(file), 'en.ts');
      this.addWatchFile(file);
      this.addWatchFile(source);
      const [english, locale] = await Promise.all([evaluate(source), evaluate(file)]);
      const firstKeys = new Set(
        Object.keys(asStrings(english.firstScreen, `${source} firstScreen`)),
      );
      const isFirst = match[2] === 'first';
      const part = Object.fromEntries(
        Object.entries(asStrings(locale.default, `${file} default export`)).filter(
          ([key]) => firstKeys.has(key) === isFirst,
        ),
      );
      return `export default ${JSON.stringify(part)};\n`;
    },
  };
}
