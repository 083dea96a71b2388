// `npm run bench -- bundle`: the JavaScript the first screen needs, against its budget (README
// "Bundle budget", DESIGN §11). Reads the built dist/web: the entry chunk named by index.html
// and every chunk it imports statically (transitively) load before the first screen; each is
// gzipped on its own (as served). Chunks reached only through `import()` are lazy and listed
// apart. Before the first render main.ts also loads the first-screen part of one language's
// catalog (`catalog-<code>-first-*.js`, scripts/vite-plugin-catalogs.mjs): the first screen is
// measured once per language, each with its own part. No browser: this reads files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { init, parse } from 'es-module-lexer';
import { REPO_ROOT, buildInfo, machineInfo, markdownTable, writeResults } from './lib.mjs';

/** The budget for the first screen's JavaScript, gzip, in kB (1 kB = 1000 bytes, as Vite prints). */
const FIRST_SCREEN_BUDGET_KB = 60;
const WEB_DIR = path.join(REPO_ROOT, 'dist', 'web');

/** @param {string} file path relative to dist/web */
function sizes(file) {
  const bytes = readFileSync(path.join(WEB_DIR, file));
  return { file, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/** The entry scripts of index.html (`<script type="module" src>` and modulepreloads). */
function entryScripts() {
  const html = readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]*type="module"[^>]*src="\/([^"]+)"/g)];
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)];
  return [...scripts, ...preloads].map((match) => match[1] ?? '');
}

/**
 * Static and dynamic imports of one chunk, as dist/web-relative paths.
 * @param {string} file
 */
function importsOf(file) {
  const code = readFileSync(path.join(WEB_DIR, file), 'utf8');
  const [imports] = parse(code);
  /** @type {{ staticImports: string[], dynamicImports: string[] }} */
  const found = { staticImports: [], dynamicImports: [] };
  for (const entry of imports) {
    if (!entry.n || !entry.n.startsWith('.')) continue;
    const target = path.posix.join(path.posix.dirname(file), entry.n);
    // d === -1: a static import; d > -1: import(); d === -2: import.meta.
    if (entry.d === -1) found.staticImports.push(target);
    else if (entry.d > -1) found.dynamicImports.push(target);
  }
  return found;
}

/**
 * The chunks a set of entry files loads before running: them and their static imports.
 * @param {string[]} entries
 */
function staticClosure(entries) {
  const found = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift() ?? '';
    if (found.has(file)) continue;
    found.add(file);
    queue.push(...importsOf(file).staticImports);
  }
  return found;
}

export default async function bundle() {
  await init;
  const allJs = readdirSync(path.join(WEB_DIR, 'assets'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => `assets/${name}`);
  const catalogFirstParts = allJs
    .map((file) => ({ file, match: /^assets\/catalog-(.+)-first-[\w-]+\.js$/.exec(file) }))
    .filter((part) => part.match !== null)
    .map((part) => ({ language: part.match?.[1] ?? '', file: part.file }));
  const restPartCount = allJs.filter((file) =>
    /^assets\/catalog-.+-rest-[\w-]+\.js$/.test(file),
  ).length;
  if (catalogFirstParts.length === 0 || catalogFirstParts.length !== restPartCount) {
    throw new Error('expected one catalog-<code>-first chunk per language in dist/web');
  }
  const shared = staticClosure(entryScripts());
  const languages = catalogFirstParts.map(({ language, file }) => {
    const files = new Set([...shared, ...staticClosure([file])]);
    const chunks = [...files].map(sizes);
    const gzipBytes = chunks.reduce((sum, chunk) => sum + chunk.gzipBytes, 0);
    const rawBytes = chunks.reduce((sum, chunk) => sum + chunk.rawBytes, 0);
    return { language, catalog: file, chunks, gzipBytes, rawBytes };
  });
  const firstScreen = new Set(languages.flatMap((l) => l.chunks.map((c) => c.file)));
  const first = [...shared].map(sizes);
  const lazy = allJs
    .filter((file) => !firstScreen.has(file))
    .map(sizes)
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  const firstGzipBytes = Math.max(...languages.map((l) => l.gzipBytes));
  const firstKb = firstGzipBytes / 1000;
  const isWithinBudget = firstKb <= FIRST_SCREEN_BUDGET_KB;
  const kb = (/** @type {number} */ bytes) => (bytes / 1000).toFixed(2);
  const chunkName = (/** @type {string} */ file) => file.replace(/^assets\//, '');

  const firstTable = markdownTable(
    ['First screen, every language (entry + static imports)', 'raw kB', 'gzip kB'],
    [
      ...first.map((c) => [chunkName(c.file), kb(c.rawBytes), kb(c.gzipBytes)]),
      [
        '**shared total**',
        kb(first.reduce((s, c) => s + c.rawBytes, 0)),
        `**${kb(first.reduce((s, c) => s + c.gzipBytes, 0))}**`,
      ],
    ],
    ['l', 'r', 'r'],
  );
  const languageTable = markdownTable(
    [
      'First screen by language',
      'its catalog part',
      'catalog gzip kB',
      'total raw kB',
      'total gzip kB',
      'budget',
    ],
    languages.map((l) => [
      l.language,
      chunkName(l.catalog),
      kb(sizes(l.catalog).gzipBytes),
      kb(l.rawBytes),
      `**${kb(l.gzipBytes)}**`,
      l.gzipBytes / 1000 <= FIRST_SCREEN_BUDGET_KB ? `within ${FIRST_SCREEN_BUDGET_KB}` : 'OVER',
    ]),
    ['l', 'l', 'r', 'r', 'r', 'l'],
  );
  const lazyTable = markdownTable(
    ['Loaded on demand', 'raw kB', 'gzip kB'],
    lazy.map((c) => [chunkName(c.file), kb(c.rawBytes), kb(c.gzipBytes)]),
    ['l', 'r', 'r'],
  );
  const build = buildInfo();
  const machine = machineInfo();
  const markdown = [
    '# Bundle: the first screen’s JavaScript against its budget',
    '',
    `${machine.date} · Node ${machine.node} · gzip level 9 per chunk · 1 kB = 1000 bytes`,
    '',
    `Build under test: commit ${build.commit?.slice(0, 7) ?? 'unknown'}, ` +
      `${build.uncommittedSourceFiles === 0 ? 'web/ and signal/ unchanged' : `${build.uncommittedSourceFiles} uncommitted files in web/ or signal/`}, ` +
      `dist/web built ${build.webBuiltAt ?? 'unknown'}.`,
    '',
    firstTable,
    '',
    languageTable,
    '',
    `**First screen: ${languages.map((l) => `${l.language} ${kb(l.gzipBytes)} kB`).join(', ')} ` +
      `gzip, of ${FIRST_SCREEN_BUDGET_KB} kB — ` +
      `${isWithinBudget ? 'every language within budget' : 'OVER BUDGET'}.**`,
    '',
    lazyTable,
    '',
    'Chunk names carry content hashes; the names before the hash say what each holds (e.g. ' +
      '`network-stack`: room mesh and sync engine, loaded when the network starts; ' +
      '`peerjs-transport` and `bundler`: PeerJS; `SettingsView`: Settings; `workbox-window`: ' +
      'the service worker registration, loaded after the first screen).',
    '',
  ].join('\n');
  const data = {
    machine,
    build,
    budgetKb: FIRST_SCREEN_BUDGET_KB,
    firstScreenGzipBytes: firstGzipBytes,
    languages: languages.map(({ language, catalog, gzipBytes, rawBytes }) => ({
      language,
      catalog,
      gzipBytes,
      rawBytes,
    })),
    isWithinBudget,
    firstScreen: first,
    lazy,
    webIndexBuiltAt: statSync(path.join(WEB_DIR, 'index.html')).mtime.toISOString(),
  };
  const { markdownPath } = writeResults('bundle', data, markdown);
  console.info(`${firstTable}\n\n${languageTable}\n\n${lazyTable}\n`);
  console.info(
    `first screen: ${languages.map((l) => `${l.language} ${kb(l.gzipBytes)}`).join(', ')} kB gzip (budget ${FIRST_SCREEN_BUDGET_KB} kB): ` +
      `${isWithinBudget ? 'within budget' : 'OVER BUDGET'}; wrote ${path.relative(REPO_ROOT, markdownPath)}`,
  );
  if (!isWithinBudget) process.exitCode = 1;
}
