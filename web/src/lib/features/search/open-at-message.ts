/**
 * Paging the open conversation's history once its window is not simply the newest pages (DESIGN
 * §6 "View window", §10 "Search"): opening it at one message however far back (a search
 * result: a window around the message replaces the newest page, the message highlighted),
 * scrolling back (`showOlder`: the window drops its newest past MESSAGE_WINDOW_MAX) and forward
 * again (`showNewer`), or jumping to the newest (`showLatest`). Each page comes with the later
 * changes of its messages (history-window.ts). Loaded on demand, never with the first screen.
 */
import { MESSAGE_PAGE_SIZE, MESSAGE_WINDOW_MAX } from '../../config';
import { eventKey, isKnownEvent } from '../../domain/events';
import { storeErrorOf } from '../../kernel/notices.svelte';
import type { Parley } from '../../parley';
import type { RoomKey } from '../../protocol/ids';
import type { SearchHit } from '../../storage/search-store';
import { conversationHash } from '../../shell/router.svelte';
import { tick } from 'svelte';
import { withChanges, withNewer, withOlder } from './history-window';

/** The longest a chosen result waits for its room to open. */
const OPEN_WAIT_MS = 15_000;

/** Resolves true once `condition` holds (checked every frame), false after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return true;
}

/** A hit's message key, the form of `eventKey` (the message list's row keys). */
export function hitKey(hit: Pick<SearchHit, 'conv' | 'author' | 'seq'>): string {
  return `${hit.conv}/${hit.author}/${hit.seq}`;
}

/** Opens the conversation of `hit` at its message; false when it could not be shown. */
export async function openAtMessage(
  app: Parley,
  go: (hash: string) => void,
  hit: SearchHit,
): Promise<boolean> {
  const room = hit.conv as RoomKey;
  const conversation = app.conversations.conversation(room);
  if (!conversation) return false;
  go(conversationHash(conversation));
  const isOpen = () => app.timeline.activeRoom === room && !app.timeline.isLoadingMessages(room);
  if (!(await until(isOpen, OPEN_WAIT_MS))) return false;
  const index = await app.search.load();
  const half = MESSAGE_PAGE_SIZE / 2;
  const page = await index.readAround(room, hit, half, half);
  const events = withChanges(page.events, await index.readChanges(room, page.events));
  if (!app.timeline.showAt(room, { ...page, events })) return false;
  await tick();
  // The message list draws one article per text or file message, in order: the target's place
  // among them finds its element. It is marked as the current one (app.css highlights it).
  const key = hitKey(hit);
  const messages = app.timeline
    .messagesOf(room)
    .filter((e) => isKnownEvent(e) && (e.kind === 'text' || e.kind === 'file'));
  const at = messages.findIndex((e) => eventKey(e) === key);
  const articles = document.querySelectorAll<HTMLElement>('[role="log"] article');
  for (const article of articles) article.removeAttribute('aria-current');
  const shown = at >= 0 ? (articles[at] ?? null) : null;
  shown?.setAttribute('aria-current', 'true');
  shown?.scrollIntoView({ block: 'center' });
  // Focus on the message: the keyboard (and a screen reader) are where the eyes are.
  shown?.focus({ preventScroll: true });
  return shown !== null;
}

/** Puts a page into the view through `show` (true when the view changed). */
export type Present = (show: () => boolean) => Promise<boolean>;

/** Shows the page as it is (no view to keep in place: tests, a view not drawn). */
const showAsIs: Present = (show) => Promise.resolve(show());

/** A page back is being read (the top marker asks again as the reader scrolls). */
let isReadingOlder = false;

/**
 * Reads the page before the oldest shown message of `room` into the view; past
 * MESSAGE_WINDOW_MAX the newest shown leave (paged in again on the way down). False when
 * nothing changed.
 */
export async function showOlder(
  app: Parley,
  room: RoomKey,
  present: Present = showAsIs,
): Promise<boolean> {
  const store = app.kernel.store;
  const oldest = app.timeline.messagesOf(room)[0];
  if (!store || !oldest || isReadingOlder || !app.timeline.hasOlderMessages(room)) return false;
  isReadingOlder = true;
  try {
    const before = { hlc: oldest.hlc, author: oldest.author, seq: oldest.seq };
    const page = await store.listEvents(room, { limit: MESSAGE_PAGE_SIZE, before });
    const changes = await (await app.search.load()).readChanges(room, page);
    const shown = app.timeline.messagesOf(room);
    // The view moved on meanwhile (another room, a jump): the page is not next to it any more.
    if (shown[0] !== oldest) return false;
    const { events, isCut } = withOlder(shown, page, changes, MESSAGE_WINDOW_MAX);
    const hasOlder = page.length === MESSAGE_PAGE_SIZE;
    const hasNewer = isCut || app.timeline.hasNewerMessages(room);
    return await present(() => app.timeline.showAt(room, { events, hasOlder, hasNewer }));
  } catch (error) {
    app.kernel.notices.reportStore(storeErrorOf(error), 'error.loadFailed');
    return false;
  } finally {
    isReadingOlder = false;
  }
}

/**
 * Reads the page after the newest shown message of `room` into the view; past
 * MESSAGE_WINDOW_MAX the oldest shown leave (paged in again on the way back). False when nothing
 * changed.
 */
export async function showNewer(
  app: Parley,
  room: RoomKey,
  /** Shows the page (through `show`) as the view wants it: keeping the reader's place. */
  present: Present = showAsIs,
): Promise<boolean> {
  // Changes of shown messages join the window as they come, past the page's end: the next page
  // starts after the newest of the rest.
  const newest = app.timeline
    .messagesOf(room)
    .findLast((e) => !['edit', 'delete', 'reaction'].includes(e.kind));
  if (!newest) return false;
  try {
    const index = await app.search.load();
    const read = await index.readAfter(room, newest, MESSAGE_PAGE_SIZE + 1);
    const page = read.slice(0, MESSAGE_PAGE_SIZE);
    const changes = await index.readChanges(room, page);
    const shown = app.timeline.messagesOf(room);
    if (!shown.includes(newest)) return false;
    const { events, isCut } = withNewer(shown, page, changes, MESSAGE_WINDOW_MAX);
    const hasOlder = isCut || app.timeline.hasOlderMessages(room);
    const hasNewer = read.length > MESSAGE_PAGE_SIZE;
    return await present(() => app.timeline.showAt(room, { events, hasOlder, hasNewer }));
  } catch (error) {
    app.kernel.notices.reportStore(storeErrorOf(error), 'error.loadFailed');
    return false;
  }
}

/** Shows the newest page of `room` in place of a window far back; false when it failed. */
export async function showLatest(app: Parley, room: RoomKey): Promise<boolean> {
  const store = app.kernel.store;
  if (!store) return false;
  try {
    const events = await store.listEvents(room, { limit: MESSAGE_PAGE_SIZE });
    // At once after the read: what is stored from here on joins the window as it comes. The
    // newest page holds the changes of its messages (they come after them).
    const hasOlder = events.length === MESSAGE_PAGE_SIZE;
    return app.timeline.showAt(room, { events, hasOlder, hasNewer: false });
  } catch (error) {
    app.kernel.notices.reportStore(storeErrorOf(error), 'error.loadFailed');
    return false;
  }
}
