/**
 * The UI catalogs are split by when their screen loads (web/src/lib/i18n): en.ts for the first
 * screen, en-more.ts for everything loaded on demand. A string of en-more.ts shows its key until
 * that module has run, so every module that names one imports en-more.ts itself; and a key no
 * module names is dead weight (first-screen bytes, when it sits in en.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/lib/i18n/en';
import { enMore } from '../../web/src/lib/i18n/en-more';

const SRC = path.resolve(import.meta.dirname, '../../web/src');

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

/** Whether `text` names `key`: as a literal, or through a template literal of its prefix. */
function names(text: string, key: string): boolean {
  if (text.includes(`'${key}'`)) return true;
  const dot = key.lastIndexOf('.');
  return dot > 0 && text.includes('`' + key.slice(0, dot + 1) + '${');
}

describe('UI catalogs', () => {
  const sources = productSources();

  it('every module naming a string loaded on demand imports en-more.ts', () => {
    const missing = sources
      .filter(({ text }) => Object.keys(enMore).some((key) => text.includes(`'${key}'`)))
      .filter(({ text }) => !/import '(\.\.?\/)+(lib\/)?i18n\/en-more';/.test(text))
      .map(({ file }) => file);
    expect(missing).toEqual([]);
  });

  it('every key is named by some module', () => {
    const unused = [...Object.keys(en), ...Object.keys(enMore)].filter(
      (key) => !sources.some(({ text }) => names(text, key)),
    );
    expect(unused).toEqual([]);
  });
});
