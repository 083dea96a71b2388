/**
 * Opening a conversation at one message, however far back (DESIGN §10 "Search"): the room opens
 * as usual, then a window of history around the message replaces its newest page, the message
 * highlighted; from there the reader pages back ("Show earlier messages") and forward ("Show
 * later messages"). Loaded with the search feature, never with the first screen.
 */
import { MESSAGE_PAGE_SIZE } from '../../config';
import { compareEvents, eventKey, isKnownEvent } from '../../domain/events';
import { createLogger } from '../../log';
import type { Parley } from '../../parley';
import type { RoomKey } from '../../protocol/ids';
import type { SearchHit } from '../../storage/search-store';
import { conversationHash } from '../../shell/router.svelte';
import { tick } from 'svelte';

const log = createLogger('search');

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
  if (!app.timeline.showAt(room, page)) return false;
  await tick();
  // The message list draws one article per text or file message, in order: the target's place
  // among them finds its element. It is marked as the current one (app.css highlights it).
  const key = hitKey(hit);
  const messages = app.timeline
    .messagesOf(room)
    .filter((e) => isKnownEvent(e) && (e.kind === 'text' || e.kind === 'file'));
  const at = messages.findIndex((e) => eventKey(e) === key);
  const articles = document.querySelectorAll<HTMLElement>('[role="log"] > article');
  for (const article of articles) article.removeAttribute('aria-current');
  const shown = at >= 0 ? (articles[at] ?? null) : null;
  shown?.setAttribute('aria-current', 'true');
  shown?.scrollIntoView({ block: 'center' });
  // Focus on the message: the keyboard (and a screen reader) are where the eyes are.
  shown?.focus({ preventScroll: true });
  return shown !== null;
}

/** Reads the page after the newest shown message of `room` (after `openAtMessage`). */
export async function showNewer(app: Parley, room: RoomKey): Promise<void> {
  const shown = app.timeline.messagesOf(room);
  // Edits, reactions and deletions of shown messages join the window as they come, past the
  // page's end: the next page starts after the newest of the rest.
  const newest = shown.findLast((e) => !['edit', 'delete', 'reaction'].includes(e.kind));
  if (!newest) return;
  try {
    const index = await app.search.load();
    const page = await index.readAfter(room, newest, MESSAGE_PAGE_SIZE + 1);
    const byKey = new Map(
      [...shown, ...page.slice(0, MESSAGE_PAGE_SIZE)].map((e) => [eventKey(e), e]),
    );
    const events = [...byKey.values()].sort(compareEvents);
    const hasOlder = app.timeline.hasOlderMessages(room);
    const hasNewer = page.length > MESSAGE_PAGE_SIZE;
    app.timeline.showAt(room, { events, hasOlder, hasNewer });
  } catch (error) {
    log.error('reading later messages failed', error);
  }
}
