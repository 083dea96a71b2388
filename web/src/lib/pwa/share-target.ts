/**
 * The Web Share Target (manifest `share_target`, DESIGN §11): another app shares text, a link or
 * files; the browser POSTs them to `/share-target`, the service worker (public/sw-share.js) keeps
 * the files in Cache Storage and opens `/?share-files=<id>&share-title=…&share-text=…&share-url=…`.
 * Parley then shows "Share to…": the chosen conversation's composer takes the text, and the files
 * are attached to it.
 */
import type { RoomKey } from '../protocol/ids';
import { createLogger } from '../log';
import { MAX_TEXT_CHARS } from '../protocol/limits';

const log = createLogger('share');

/** The query parameters the manifest's `share_target.params` and public/sw-share.js name. */
export const SHARE_PARAMS = {
  title: 'share-title',
  text: 'share-text',
  url: 'share-url',
  /** The id under which the service worker keeps the shared files. */
  files: 'share-files',
  /** Why the service worker kept no files ({@link ShareRefusal}). */
  refused: 'share-refused',
} as const;
/** The route of the picker. */
export const SHARE_HASH = '#/share';

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

/** How long after start-up old shared files are looked for: off the first screen's path. */
const STALE_CLEANUP_DELAY_MS = 10_000;

/** Where the share waits in this tab's session, so a reload of "Share to…" keeps it. */
const SHARE_STORAGE_KEY = 'parley:share';

/** Why a share came without its files: more than the limit, or the worker could not keep them. */
export type ShareRefusal = 'too-many' | 'failed';

/** What a share holds. */
export interface Share {
  /** The text for the composer ('' when none). */
  text: string;
  /** The id of the files the service worker keeps, or null. */
  files: string | null;
  /** Why files were shared but not kept, or null. */
  refused: ShareRefusal | null;
}

/**
 * The text a share carries: its text, then its link on a line of its own (apps put the link in
 * `text`, `url` or both; it is kept once), or the title when that is all there is. '' when the
 * query holds no share. Cut to what one message can hold.
 */
export function sharedText(search: string): string {
  const params = new URLSearchParams(search);
  const title = (params.get(SHARE_PARAMS.title) ?? '').trim();
  const text = (params.get(SHARE_PARAMS.text) ?? '').trim();
  const url = (params.get(SHARE_PARAMS.url) ?? '').trim();
  const parts = [text];
  if (url && !text.includes(url)) parts.push(url);
  const joined = parts.filter(Boolean).join('\n') || title;
  return joined.slice(0, MAX_TEXT_CHARS);
}

/** The share a start-up query carries, or null when it carries none (or nothing to show). */
export function shareFromQuery(search: string): Share | null {
  if (!hasShareParams(search)) return null;
  const params = new URLSearchParams(search);
  const files = params.get(SHARE_PARAMS.files);
  const refused = params.get(SHARE_PARAMS.refused);
  const share: Share = {
    text: sharedText(search),
    // The id is ours (a UUID); anything else did not come from the service worker.
    files: files && /^[0-9a-f-]{36}$/.test(files) ? files : null,
    refused: refused === null ? null : refused === 'too-many' ? 'too-many' : 'failed',
  };
  return share.text || share.files || share.refused ? share : null;
}

/** A share waiting for its conversation; the composer of that room takes its text once. */
let pending: (Share & { room: string | null }) | null = null;

/** Keeps what was shared until a conversation is picked. */
export function holdShare(share: Share): void {
  pending = { ...share, room: null };
}

/** The share waiting for a conversation, if any. */
export function heldShare(): Share | null {
  return pending && { text: pending.text, files: pending.files, refused: pending.refused };
}

/** The text waiting for a conversation, if any. */
export function heldSharedText(): string | null {
  return pending?.text || null;
}

/** The person picked `room`: its composer will take the text (the picker attaches the files). */
export function sendSharedTextTo(room: string): void {
  if (pending) pending.room = room;
  forgetInSession();
}

/** Drops a share (Cancel). Its files, if any, are the caller's to forget. */
export function dropSharedText(): void {
  pending = null;
  forgetInSession();
}

/** For the composer of `room`: the shared text meant for it (given once), or ''. */
export function takeSharedText(room: string): string {
  if (pending?.room !== room) return '';
  const { text } = pending;
  pending = null;
  return text;
}

/**
 * At start-up: if the page was opened by a share, keeps it and turns the address into the
 * picker's route (without the query, so a reload does not share again; the share stays in this
 * tab's session instead, so reloading "Share to…" still shows it). Later, drops shared files that
 * were never picked up.
 */
export function captureSharedText(): void {
  const isShareQuery = hasShareParams(location.search);
  const share = isShareQuery
    ? shareFromQuery(location.search)
    : location.hash === SHARE_HASH
      ? fromSession()
      : null;
  if (isShareQuery) history.replaceState(null, '', `/${share ? SHARE_HASH : '#/'}`);
  if (share) {
    holdShare(share);
    if (isShareQuery) keepInSession(share);
  }
  if (typeof caches !== 'undefined') {
    setTimeout(() => {
      forgetStaleSharedFiles(Date.now()).catch((error: unknown) =>
        log.warn('dropping old shared files failed', error),
      );
    }, STALE_CLEANUP_DELAY_MS);
  }
}

function hasShareParams(search: string): boolean {
  const params = new URLSearchParams(search);
  return Object.values(SHARE_PARAMS).some((name) => params.has(name));
}

function keepInSession(share: Share): void {
  try {
    sessionStorage.setItem(SHARE_STORAGE_KEY, JSON.stringify(share));
  } catch (error) {
    // Private mode or a full quota: the share still works until a reload.
    log.warn('keeping the share for a reload failed', error);
  }
}

function fromSession(): Share | null {
  try {
    const raw = sessionStorage.getItem(SHARE_STORAGE_KEY);
    const value = raw ? (JSON.parse(raw) as Partial<Share>) : null;
    if (!value || typeof value.text !== 'string') return null;
    return {
      text: value.text.slice(0, MAX_TEXT_CHARS),
      files: typeof value.files === 'string' ? value.files : null,
      refused: value.refused === 'too-many' || value.refused === 'failed' ? value.refused : null,
    };
  } catch (error) {
    log.warn('the share kept for a reload is unreadable', error);
    return null;
  }
}

function forgetInSession(): void {
  try {
    sessionStorage.removeItem(SHARE_STORAGE_KEY);
  } catch (error) {
    log.debug('no session storage to forget the share in', error);
  }
}

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
