/**
 * The UI catalogs (web/src/lib/i18n, DESIGN §11 "Languages"). Each language is one file in
 * locales/; English (en.ts) is the source and decides which strings the first screen loads
 * (`firstScreen`) and which load on demand (`onDemand`). A string loaded on demand shows its key
 * until i18n/more.ts has run, so every module that shows one imports more.ts — or shows it only
 * inside an `{#await import(…)}` block of a module that does. A key no module names is dead
 * weight. And the type check must catch a broken translation, so that is tested here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import en, { firstScreen, onDemand } from '../../web/src/lib/i18n/locales/en';
import { LOCALES } from '../../web/src/lib/i18n/locales';

const SRC = path.resolve(import.meta.dirname, '../../web/src');
const LOCALES_DIR = path.join(SRC, 'lib/i18n/locales');
const MORE_IMPORT = /import '(\.\.?\/)+(lib\/)?i18n\/more';/;

/** Product sources (no tests, no catalogs), relative to web/src, with their text. */
function productSources(): { file: string; text: string }[] {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (file) =>
      /\.(ts|svelte)$/.test(file) &&
      !/\.test\.ts$/.test(file) &&
      !file.startsWith(`lib${path.sep}i18n${path.sep}`) &&
      !file.startsWith(`lib${path.sep}testing${path.sep}`),
  );
  return files.map((file) => ({ file, text: readFileSync(path.join(SRC, file), 'utf8') }));
}

/**
 * The components that show keys other modules hand on as data (notices, the kernel's `fatal`):
 * both are loaded on demand and import more.ts, so such keys may be on-demand strings.
 */
const SHOWS_HANDED_KEYS = [
  path.join('lib', 'shell', 'NoticeBar.svelte'),
  path.join('lib', 'shell', 'StartupProblem.svelte'),
];

/** The lines of `text` that look a string up (`t(` or `tp(`). */
function lookupLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => /\bt\(|\btp\(/.test(line))
    .join('\n');
}

/**
 * Whether `text` names `key`: as a literal, through a template literal of its prefix, or (a
 * plural form such as `typing.others.one`) through its base, as `tp()` takes it.
 */
function names(text: string, key: string): boolean {
  if (text.includes(`'${key}'`)) return true;
  const plural = /^(.+)\.(zero|one|two|few|many|other)$/.exec(key);
  if (plural && text.includes(`tp('${plural[1]}'`)) return true;
  const dot = key.lastIndexOf('.');
  return dot > 0 && text.includes('`' + key.slice(0, dot + 1) + '${');
}

/**
 * The text of `file` outside `{#await import('x') then …}…{/await}` blocks whose module x
 * imports more.ts (inside one, the on-demand strings have loaded).
 */
function outsideLoadedBlocks(file: string, text: string, sources: Map<string, string>): string {
  return text.replace(
    /\{#await import\('([^']+)'\)[^}]*\}([\s\S]*?)\{\/await\}/g,
    (whole, target: string) => {
      const imported = path.join(path.dirname(file), target);
      return MORE_IMPORT.test(sources.get(imported) ?? '') ? '' : whole;
    },
  );
}

describe('UI catalogs', () => {
  const sources = productSources();
  const byFile = new Map(sources.map(({ file, text }) => [file, text]));

  it('every module showing a string loaded on demand imports more.ts, or shows it once loaded', () => {
    const missing = sources
      .filter(({ file, text }) => {
        const lookups = lookupLines(outsideLoadedBlocks(file, text, byFile));
        return Object.keys(onDemand).some((key) => lookups.includes(`'${key}'`));
      })
      .filter(({ text }) => !MORE_IMPORT.test(text))
      .map(({ file }) => file);
    expect(missing).toEqual([]);
  });

  it('the components showing keys handed on as data import more.ts', () => {
    for (const file of SHOWS_HANDED_KEYS) expect(byFile.get(file), file).toMatch(MORE_IMPORT);
  });

  it('every key is named by some module', () => {
    // The web manifest's words are named by the build (manifestIn in the catalogs plugin).
    const plugin = readFileSync(path.join(SRC, '../../scripts/vite-plugin-catalogs.mjs'), 'utf8');
    const named = [...sources, { file: 'vite-plugin-catalogs.mjs', text: plugin }];
    const unused = Object.keys(en).filter((key) => !named.some(({ text }) => names(text, key)));
    expect(unused).toEqual([]);
  });

  it('the first screen and the rest share no key', () => {
    const shared = Object.keys(firstScreen).filter((key) => Object.hasOwn(onDemand, key));
    expect(shared).toEqual([]);
  });

  it('LOCALES lists exactly the catalog files, and each has every key with its placeholders', async () => {
    const files = readdirSync(LOCALES_DIR)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(LOCALES.map((locale) => locale.code).sort()).toEqual(files);
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const code of files) {
      const catalog = (
        (await import(`../../web/src/lib/i18n/locales/${code}.ts`)) as {
          default: Record<string, string>;
        }
      ).default;
      expect(Object.keys(catalog).sort(), code).toEqual(Object.keys(en).sort());
      for (const [key, english] of Object.entries(en)) {
        expect(placeholders(catalog[key] ?? ''), `${code} ${key}`).toEqual(placeholders(english));
      }
    }
  });
});

describe('the type check of catalogs and t()', () => {
  const configFile = path.resolve(import.meta.dirname, '../../tsconfig.json');
  const config: unknown = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file)).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configFile));

  /** The type errors of `code` placed at web/src/lib/i18n/`name` (the probe is not on disk). */
  function typeErrors(name: string, code: string): string[] {
    const probe = path.join(SRC, 'lib/i18n', name);
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.fileExists = (file) => file === probe || ts.sys.fileExists(file);
    host.readFile = (file) => (file === probe ? code : readFile(file));
    host.getSourceFile = (file, language, ...rest) =>
      file === probe
        ? ts.createSourceFile(file, code, language)
        : getSourceFile(file, language, ...rest);
    const program = ts.createProgram([probe], { ...options, noEmit: true }, host);
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(probe))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  const zhCN = readFileSync(path.join(LOCALES_DIR, 'zh-CN.ts'), 'utf8').replace(
    "from '../messages'",
    "from './messages'",
  );

  it('passes the real Chinese catalog and correct calls', () => {
    expect(typeErrors('probe-catalog.ts', zhCN)).toEqual([]);
    expect(
      typeErrors(
        'probe-calls.ts',
        "import { t } from './i18n';\nt('settings.title');\nt('room.memberYou', { name: 'A' });\n",
      ),
    ).toEqual([]);
  }, 60_000);

  it('fails on a missing translation, an extra key and a wrong placeholder', () => {
    const missing = zhCN.replace(/\n {2}'settings\.title': [^\n]*/, '');
    const extra = zhCN.replace("'settings.title':", "'settings.titel': 'x',\n  'settings.title':");
    const wrong = zhCN.replace("'{name}（你）'", "'{nam}（你）'");
    for (const code of [missing, extra, wrong]) {
      expect(code).not.toBe(zhCN);
      expect(typeErrors('probe-catalog.ts', code)).not.toEqual([]);
    }
  }, 60_000);

  it('fails on a wrong, missing or unexpected parameter of t()', () => {
    for (const call of [
      "t('room.memberYou', { nam: 'A' })",
      "t('room.memberYou')",
      "t('settings.title', { name: 'A' })",
      "t('no.such.key')",
    ]) {
      expect(
        typeErrors('probe-calls.ts', `import { t } from './i18n';\n${call};\n`),
        call,
      ).not.toEqual([]);
    }
  }, 60_000);
});
