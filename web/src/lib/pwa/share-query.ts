/**
 * What a share carries (DESIGN §11), read from the query the share target opened Parley with
 * (kept by share-target.ts): the text for the composer, the id of the files the service worker
 * keeps, or why it kept none. Loaded with "Share to…", not with the first screen.
 */
import { MAX_TEXT_CHARS } from '../protocol/limits';

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

function hasShareParams(search: string): boolean {
  const params = new URLSearchParams(search);
  return Object.values(SHARE_PARAMS).some((name) => params.has(name));
}
