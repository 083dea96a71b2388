/**
 * The files of a share (DESIGN §11), as public/sw-share.js keeps them in Cache Storage until
 * "Share to…" picks a conversation: read back as Files, attached, then deleted. Loaded with the
 * picker (and for the clean-up of old ones), not with the first screen.
 */
import type { RoomKey } from '../protocol/ids';

/** Where public/sw-share.js keeps shared files (keep in step with it). */
export const SHARED_FILES = {
  /** The Cache Storage cache. */
  cache: 'parley-shared-files',
  /** The most files one share may carry; a larger one is refused whole. */
  maxFiles: 32,
  /** Response header: the file's name, URI-encoded. */
  nameHeader: 'X-Parley-File-Name',
  /** Response header: when it was shared (ms since the epoch). */
  sharedAtHeader: 'X-Parley-Shared-At',
} as const;

/** Shared files not picked up for this long are dropped at the next start. */
export const SHARED_FILES_MAX_AGE_MS = 24 * 60 * 60 * 1000;

// ---- The shared files, in Cache Storage --------------------------------------------------------

/** The part of Cache Storage used here (the app: `caches`; tests: a twin). */
export type SharedFilesStorage = Pick<CacheStorage, 'open' | 'has'>;

/** The part of the files feature a share needs (`app.files`, DESIGN §9). */
export interface FilesFeature {
  /** Loads the feature. */
  load(): Promise<{
    /** Hashes and stores the files, then sends a file message for each to `room`. */
    attach(room: RoomKey, files: readonly File[]): Promise<void>;
  }>;
}

async function heldEntries(
  storage: SharedFilesStorage,
  id: string,
): Promise<{ cache: Cache; requests: Request[] }> {
  const cache = await storage.open(SHARED_FILES.cache);
  const prefix = `/shared/${id}/`;
  const requests = (await cache.keys())
    .map((request) => ({ request, path: new URL(request.url).pathname }))
    .filter(({ path }) => path.startsWith(prefix))
    .sort((a, b) => Number(a.path.slice(prefix.length)) - Number(b.path.slice(prefix.length)))
    .map(({ request }) => request);
  return { cache, requests };
}

/**
 * The files of share `id` as the other app shared them (names and types), in order; [] when they
 * are no longer kept (picked up already, or the browser cleared its storage).
 */
export async function loadSharedFiles(
  id: string,
  storage: SharedFilesStorage = caches,
): Promise<File[]> {
  const { cache, requests } = await heldEntries(storage, id);
  const files: File[] = [];
  for (const request of requests) {
    const response = await cache.match(request);
    if (!response) return []; // Dropped meanwhile: the share is gone as a whole.
    const blob = await response.blob();
    files.push(
      new File([blob], decodedName(response.headers.get(SHARED_FILES.nameHeader)), {
        type: blob.type,
      }),
    );
  }
  return files;
}

function decodedName(header: string | null): string {
  try {
    return header ? decodeURIComponent(header) : '';
  } catch {
    return header ?? '';
  }
}

/** Deletes the kept files of share `id`. */
export async function forgetSharedFiles(
  id: string,
  storage: SharedFilesStorage = caches,
): Promise<void> {
  const { cache, requests } = await heldEntries(storage, id);
  await Promise.all(requests.map((request) => cache.delete(request)));
}

/** Deletes files shared longer ago than {@link SHARED_FILES_MAX_AGE_MS} and never picked up. */
export async function forgetStaleSharedFiles(
  nowMs: number,
  storage: SharedFilesStorage = caches,
): Promise<void> {
  if (!(await storage.has(SHARED_FILES.cache))) return; // Never shared files: make no cache.
  const cache = await storage.open(SHARED_FILES.cache);
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    const sharedAt = Number(response?.headers.get(SHARED_FILES.sharedAtHeader));
    if (!(nowMs - sharedAt < SHARED_FILES_MAX_AGE_MS)) await cache.delete(request);
  }
}

/**
 * Attaches `files` (loaded with {@link loadSharedFiles}) to `room` through the files feature,
 * then deletes the kept copies of share `id`: once attached they are in the file store, and if
 * attaching fails the feature shows why beside the composer.
 */
export async function attachSharedFiles(
  room: RoomKey,
  id: string,
  files: readonly File[],
  feature: FilesFeature,
  storage: SharedFilesStorage = caches,
): Promise<void> {
  try {
    const loaded = await feature.load();
    await loaded.attach(room, files);
  } finally {
    await forgetSharedFiles(id, storage);
  }
}
