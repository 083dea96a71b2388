// The build step of the UI catalogs (web/src/lib/i18n, DESIGN §11 "Languages"). Each language is
// one file, web/src/lib/i18n/locales/<code>.ts, holding all its strings. The app imports it as
// `<code>.ts?part=first` (the strings the first screen needs) and `<code>.ts?part=rest` (the
// rest), and this plugin answers each with just that part, so a language's first screen carries
// none of the strings of screens it has not opened. English (en.ts) decides which keys are the
// first screen's: those of its `firstScreen` object. Catalog files are plain data, so they are
// evaluated here (types stripped) rather than parsed.
import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Every language's whole catalog, by code (English first), read from `localesDir`.
 * @param {string} localesDir
 * @returns {Promise<Map<string, Record<string, string>>>}
 */
export async function readCatalogs(localesDir) {
  const codes = readdirSync(localesDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => file.replace(/\.ts$/, ''))
    .sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
  const entries = await Promise.all(
    codes.map(async (code) => {
      const module = await evaluate(path.join(localesDir, `${code}.ts`));
      return /** @type {const} */ ([code, asStrings(module.default, `${code}.ts default export`)]);
    }),
  );
  return new Map(entries);
}

/**
 * The web manifest in one language: `base` with its words from that language's catalog
 * (`manifest.*` keys) and `lang` set.
 * @template {{ screenshots?: { label?: string }[], shortcuts?: { name: string, short_name?: string }[] }} M
 * @param {M} base
 * @param {string} code
 * @param {Record<string, string>} catalog
 * @returns {M & { lang: string, description: string }}
 */
export function manifestIn(base, code, catalog) {
  const word = (/** @type {string} */ key) => {
    const value = catalog[key];
    if (value === undefined) throw new Error(`${code}: the catalog has no ${key}`);
    return value;
  };
  return {
    ...base,
    lang: code,
    description: word('manifest.description'),
    screenshots: base.screenshots?.map((shot, index) => ({
      ...shot,
      label: word(index === 0 ? 'manifest.screenshotWide' : 'manifest.screenshotNarrow'),
    })),
    shortcuts: base.shortcuts?.map((shortcut) => ({
      ...shortcut,
      name: word('nav.newRoom'),
      short_name: word('nav.newRoom'),
    })),
  };
}

/**
 * Emits `manifest.<code>.webmanifest` for every language but English (whose manifest
 * vite-plugin-pwa writes as manifest.webmanifest); i18n.ts points `<link rel=manifest>` at the
 * one of the language shown.
 * @param {Map<string, Record<string, unknown>>} manifests by code
 * @returns {import('vite').Plugin}
 */
export function localizedManifests(manifests) {
  return {
    name: 'parley:localized-manifests',
    apply: 'build',
    generateBundle: {
      // After vite-plugin-pwa emitted the English one: the icons it generated are copied over.
      order: 'post',
      handler(_options, bundle) {
        const english = bundle['manifest.webmanifest'];
        const source = english?.type === 'asset' ? String(english.source) : '{}';
        const { icons } = /** @type {{ icons?: unknown }} */ (JSON.parse(source));
        for (const [code, manifest] of manifests) {
          if (code === 'en') continue;
          this.emitFile({
            type: 'asset',
            fileName: `manifest.${code}.webmanifest`,
            source: `${JSON.stringify({ ...manifest, icons }, null, 2)}\n`,
          });
        }
      },
    },
  };
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
          // The web manifest's words are for the build (manifestIn), not the page.
          ([key]) => firstKeys.has(key) === isFirst && !key.startsWith('manifest.'),
        ),
      );
      return `export default ${JSON.stringify(part)};\n`;
    },
  };
}
