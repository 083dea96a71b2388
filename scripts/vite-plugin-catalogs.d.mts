import type { Plugin } from 'vite';

/** The chunk name of a catalog part (`catalog-<code>-first` or `-rest`), or null for other ids. */
export function catalogChunkName(id: string): string | null;

/** Answers `locales/<code>.ts?part=first|rest` with that part of the catalog. */
export function catalogs(): Plugin;
