import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

/** Where `npm run dev` finds the signal server (scripts/dev.mjs starts it on this port). */
const DEV_SIGNAL_URL = process.env.PARLEY_DEV_SIGNAL_URL ?? 'http://localhost:9001';

export default defineConfig({
  root: 'web',
  publicDir: '../public',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: {
      '/peerjs': { target: DEV_SIGNAL_URL, ws: true },
      '/healthz': DEV_SIGNAL_URL,
    },
  },
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      pwaAssets: { image: '../public/favicon.svg', overrideManifestIcons: true },
      manifest: {
        name: 'Parley',
        short_name: 'Parley',
        description: 'Private peer-to-peer chat. Open a room link and talk, browser to browser.',
        theme_color: '#1f7a5c',
        background_color: '#f4f6f5',
        display: 'standalone',
        start_url: '/',
        scope: '/',
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/peerjs/, /^\/healthz/],
      },
    }),
  ],
});
