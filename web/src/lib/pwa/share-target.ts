/**
 * The Web Share Target (manifest `share_target`, DESIGN §11): another app shares text or a link,
 * the browser opens `/?share-title=…&share-text=…&share-url=…`, and Parley shows "Share to…" with
 * the text ready for the chosen conversation's composer. Files are not shared yet (no file
 * messages).
 */
import { MAX_TEXT_CHARS } from '../protocol/limits';

/** The query parameters the manifest's `share_target.params` names. */
export const SHARE_PARAMS = { title: 'share-title', text: 'share-text', url: 'share-url' } as const;
/** The route of the picker. */
export const SHARE_HASH = '#/share';

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

/** A shared text waiting for its conversation; the composer of that room takes it once. */
let pending: { text: string; room: string | null } | null = null;

/** Keeps what was shared until a conversation is picked. */
export function holdSharedText(text: string): void {
  pending = { text, room: null };
}

/** The text waiting for a conversation, if any. */
export function heldSharedText(): string | null {
  return pending?.text ?? null;
}

/** The person picked `room`: its composer will take the text. */
export function sendSharedTextTo(room: string): void {
  if (pending) pending.room = room;
}

/** Drops a share (Cancel). */
export function dropSharedText(): void {
  pending = null;
}

/** For the composer of `room`: the shared text meant for it (given once), or ''. */
export function takeSharedText(room: string): string {
  if (pending?.room !== room) return '';
  const { text } = pending;
  pending = null;
  return text;
}

/**
 * At start-up: if the page was opened by a share, keeps its text and turns the address into the
 * picker's route (without the query, so a reload does not share again).
 */
export function captureSharedText(): void {
  const params = new URLSearchParams(location.search);
  if (!Object.values(SHARE_PARAMS).some((name) => params.has(name))) return;
  const text = sharedText(location.search);
  if (text) holdSharedText(text);
  history.replaceState(null, '', `/${text ? SHARE_HASH : '#/'}`);
}
