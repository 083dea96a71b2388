/** Set by vite.config.ts `define` (package.json's version, or PARLEY_VERSION at build time). */
declare const __PARLEY_VERSION__: string | undefined;

/**
 * One lucide icon, imported from its own module (`import Phone from
 * 'lucide/dist/esm/icons/phone.mjs'`), never from the 'lucide' barrel: through the barrel every
 * icon the app uses would land on the first screen (vite.config.ts keeps what the entry reaches
 * there), not only those it shows.
 */
declare module 'lucide/dist/esm/icons/*.mjs' {
  const icon: import('lucide').IconNode;
  export default icon;
}
