/** Set by vite.config.ts `define` (package.json's version, or PARLEY_VERSION at build time). */
declare const __PARLEY_VERSION__: string | undefined;
