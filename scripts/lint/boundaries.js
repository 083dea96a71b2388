// The layering of web/src/lib (DESIGN §2), as the zones of ONE lint rule
// (import-x/no-restricted-paths). Flat config lets a later block replace an earlier block's
// options for the same rule, so every zone lives here, in one list, in one block; the lint
// self-test (tests/lint/boundaries.test.ts) proves each zone still bites.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lib = './web/src/lib';
const featureNames = readdirSync(new URL('../../web/src/lib/features', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const libFolders = readdirSync(new URL('../../web/src/lib', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory() && entry.name !== 'testing')
  .map((entry) => entry.name);

/** Product code: everything in web/src and signal/src but tests and test helpers (lib/testing). */
const product = [
  './web/src/!(*.test).ts',
  './web/src/*.svelte',
  './web/src/lib/!(*.test).ts',
  ...libFolders.flatMap((name) => [
    `./web/src/lib/${name}/**/!(*.test).ts`,
    `./web/src/lib/${name}/**/*.svelte`,
  ]),
  './signal/src/**/!(*.test).ts',
];

/** @type {{ target: string | string[]; from: string | string[]; except?: string[]; message: string }[]} */
export const zones = [
  {
    target: './web/src/**/*.svelte',
    from: [`${lib}/net`, `${lib}/sync`],
    message: 'Components render and forward intent: they never touch network or sync code.',
  },
  {
    target: './web/src/**/*.svelte',
    from: `${lib}/storage`,
    except: ['./chat-store.ts'],
    message: 'Components may know the store’s record types (chat-store.ts), never the adapter.',
  },
  {
    target: `${lib}/kernel`,
    from: [`${lib}/features`, `${lib}/parley.ts`, `${lib}/shell`, `${lib}/ui`],
    message: 'The kernel knows no feature: features plug in through web/src/lib/parley.ts.',
  },
  {
    target: [`${lib}/domain`, `${lib}/protocol`, `${lib}/crypto`],
    from: [
      `${lib}/net`,
      `${lib}/sync`,
      `${lib}/kernel`,
      `${lib}/features`,
      `${lib}/shell`,
      `${lib}/ui`,
      `${lib}/pwa`,
      `${lib}/i18n/i18n.ts`,
    ],
    message: 'Domain, protocol and crypto code is pure: no I/O, no state, no UI.',
  },
  {
    target: [`${lib}/domain`, `${lib}/protocol`, `${lib}/crypto`],
    from: `${lib}/storage`,
    except: ['./chat-store.ts'],
    message: 'Domain code may know the store’s record types (chat-store.ts), never the adapter.',
  },
  {
    target: ['./web/src/**/!(peerjs-transport|peerjs-link).ts', './web/src/**/*.svelte'],
    from: './node_modules/peerjs',
    message: 'Only the PeerJS adapter (net/peerjs-transport.ts, peerjs-link.ts) imports peerjs.',
  },
  {
    target: ['./web/src/**/!(idb-*).ts', './web/src/**/*.svelte'],
    from: './node_modules/idb',
    message: 'Only the IndexedDB adapter (storage/idb-*.ts) imports idb.',
  },
  {
    target: product,
    from: [`${lib}/testing`, `${lib}/net/memory-transport.ts`],
    message: 'Test helpers and the in-memory twins are for tests; product code never imports them.',
  },
  ...featureNames.map((name) => ({
    target: `${lib}/features/${name}/**/*.ts`,
    from: `${lib}/features`,
    except: [`./${name}`],
    message:
      'A feature’s state never imports another feature: it declares ports, wired in parley.ts ' +
      '(its components may show other features’ components).',
  })),
  {
    target: './signal/src',
    from: './web',
    except: ['./src/lib/protocol'],
    message: 'The signal server shares only the wire protocol with the web app.',
  },
];

/** The rule's options. */
export const boundaryRule = ['error', { zones, basePath: repoRoot }];
