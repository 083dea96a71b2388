import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA, type ManifestOptions } from 'vite-plugin-pwa';
import packageJson from './package.json' with { type: 'json' };
import {
  catalogChunkName,
  catalogs,
  localizedManifests,
  manifestIn,
  readCatalogs,
} from './scripts/vite-plugin-catalogs.mjs';

/**
 * The version Settings shows. PARLEY_VERSION overrides it (the e2e update test builds a second
 * version this way); any change of it also changes the service worker, so browsers see an update.
 */
const APP_VERSION = process.env.PARLEY_VERSION ?? packageJson.version;

/**
 * Keeps every module the entry imports statically in the entry chunk. Left alone, Rolldown splits
 * modules shared with lazy chunks into small chunks of their own (the on-demand catalog loaders
 * and top-level `await` in i18n/more.ts made it split ~20), each costing a request and gzip
 * overhead on the first screen.
 */
function firstScreenChunk(
  id: string,
  meta: {
    getModuleInfo: (id: string) => { isEntry: boolean; importers: readonly string[] } | null;
  },
): string | undefined {
  return isStaticallyImportedByEntry(id, meta.getModuleInfo) ? 'index' : undefined;
}
const staticallyImportedByEntry = new Map<string, boolean>();
function isStaticallyImportedByEntry(
  id: string,
  info: Parameters<typeof firstScreenChunk>[1]['getModuleInfo'],
): boolean {
  const known = staticallyImportedByEntry.get(id);
  if (known !== undefined) return known;
  staticallyImportedByEntry.set(id, false); // an import cycle adds nothing
  const module = info(id);
  const answer =
    !!module &&
    (module.isEntry || module.importers.some((by) => isStaticallyImportedByEntry(by, info)));
  staticallyImportedByEntry.set(id, answer);
  return answer;
}

/** Where `npm run dev` finds the signal server (scripts/dev.mjs starts it on this port). */
const DEV_SIGNAL_URL = process.env.PARLEY_DEV_SIGNAL_URL ?? 'http://localhost:9001';

/**
 * The complete web manifest (DESIGN §11), in English; its words come from the catalogs, and every
 * other language gets its own copy (manifest.<code>.webmanifest, see localizedManifests). Icons
 * come from public/favicon.svg (pwaAssets).
 */
const baseManifest = {
  id: '/',
  name: 'Parley',
  short_name: 'Parley',
  theme_color: '#1f7a5c',
  background_color: '#f4f6f5',
  display: 'standalone',
  start_url: '/',
  scope: '/',
  categories: ['social', 'communication'],
  screenshots: [
    {
      src: '/screenshots/wide.png',
      sizes: '1280x720',
      type: 'image/png',
      form_factor: 'wide',
    },
    {
      src: '/screenshots/narrow.png',
      sizes: '375x740',
      type: 'image/png',
      form_factor: 'narrow',
    },
  ],
  shortcuts: [
    {
      name: 'New room',
      short_name: 'New room',
      url: '/?action=new-room',
      icons: [{ src: '/pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
    },
  ],
  // Text, links and files from other apps: the service worker keeps the files and sends the page
  // on to `/?share-files=…&share-text=…` (public/sw-share.js, pwa/share-target.ts).
  share_target: {
    action: '/share-target',
    method: 'POST',
    enctype: 'multipart/form-data',
    params: {
      title: 'share-title',
      text: 'share-text',
      url: 'share-url',
      files: [{ name: 'files', accept: ['*/*'] }],
    },
  },
} satisfies Partial<ManifestOptions>;

/** The manifest in each language; English also names the others' descriptions (`*_localized`). */
const catalogsByCode = await readCatalogs(
  fileURLToPath(new URL('./web/src/lib/i18n/locales', import.meta.url)),
);
const manifests = new Map(
  [...catalogsByCode].map(([code, catalog]) => [code, manifestIn(baseManifest, code, catalog)]),
);
const english = manifests.get('en');
if (english) {
  // Manifest localization (w3c/manifest#1101; Chromium): shown where a browser supports it.
  Object.assign(english, {
    description_localized: Object.fromEntries(
      [...manifests].filter(([code]) => code !== 'en').map(([code, m]) => [code, m.description]),
    ),
  });
}

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  define: { __PARLEY_VERSION__: JSON.stringify(APP_VERSION) },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // Maps are written for decoding stack traces, but the bundles do not point at them and the
    // server refuses *.map unless PARLEY_SERVE_SOURCE_MAPS is set: they hold the full sources.
    sourcemap: 'hidden',
    // Every browser Parley supports (it needs WebRTC, Web Locks and ES2022) knows
    // <link rel=modulepreload>: the polyfill would only cost the first screen bytes.
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        // Each part of each language's catalog is its own chunk, named for what it holds.
        manualChunks: firstScreenChunk,
        // Hashes of 7 characters (42 bits, the least Rolldown takes for this many chunks; plenty for a few hundred files): the first screen
        // carries the name of every chunk and style sheet it may load (the preload map).
        chunkFileNames: (chunk) =>
          `assets/${(chunk.facadeModuleId && catalogChunkName(chunk.facadeModuleId)) ?? '[name]'}-[hash:7].js`,
        entryFileNames: 'assets/[name]-[hash:7].js',
        assetFileNames: 'assets/[name]-[hash:7][extname]',
      },
    },
  },
  server: {
    proxy: {
      '/peerjs': { target: DEV_SIGNAL_URL, ws: true },
      '/healthz': DEV_SIGNAL_URL,
      '/readyz': DEV_SIGNAL_URL,
    },
  },
  plugins: [
    catalogs(),
    localizedManifests(manifests),
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      pwaAssets: { image: '../public/favicon.svg', overrideManifestIcons: true },
      manifest: manifests.get('en'),
      workbox: {
        // Not *.webmanifest: the plugin adds the manifest itself, and a second entry with another
        // revision makes workbox throw while the worker starts, leaving it with no precache.
        globPatterns: ['**/*.{js,css,html,svg,png,ico}'],
        // Manifest screenshots are for install dialogs, not for the app offline.
        globIgnores: ['screenshots/**'],
        navigateFallback: '/index.html',
        // The signal server's own routes are never answered from the cache (nor is anything
        // else cached at runtime: no runtimeCaching, so /peerjs, /healthz, /readyz and /metrics always go
        // to the network). Keep in step with SERVER_PATH_PATTERN in signal/src/http-app.ts.
        navigateFallbackDenylist: [/^\/peerjs/, /^\/healthz/, /^\/readyz/, /^\/metrics/],
        // The first install takes over the open page at once (it then works offline without a
        // reload). Updates still wait for "Reload": skipWaiting only on the person's click.
        clientsClaim: true,
        // Notification clicks focus Parley and open the conversation; shared files are kept
        // until a conversation is picked (its fetch handler comes before workbox's).
        importScripts: ['/sw-notifications.js', '/sw-share.js'],
      },
    }),
  ],
});
