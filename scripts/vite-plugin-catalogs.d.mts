import type { Plugin } from 'vite';

/** The chunk name of a catalog part (`catalog-<code>-first` or `-rest`), or null for other ids. */
export function catalogChunkName(id: string): string | null;

/** Answers `locales/<code>.ts?part=first|rest` with that part of the catalog. */
export function catalogs(): Plugin;

/** Every language's whole catalog, by code (English first). */
export function readCatalogs(localesDir: string): Promise<Map<string, Record<string, string>>>;

/** The web manifest in one language (`manifest.*` keys of its catalog, `lang`). */
export function manifestIn<M extends object>(
  base: M,
  code: string,
  catalog: Record<string, string>,
): M & { lang: string; description: string };

/** Emits manifest.<code>.webmanifest for every language but English. */
export function localizedManifests(manifests: Map<string, Record<string, unknown>>): Plugin;
