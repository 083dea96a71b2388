/**
 * Opening a conversation at one message, however far back (DESIGN §14 "Search"): the room opens
 * as usual, then a window of history around the message replaces its newest page, the message
 * highlighted; from there the reader pages back ("Show earlier messages") and forward ("Show
 * later messages"). Loaded with the search feature, never with the first screen.
 */
import { MESSAGE_PAGE_SIZE } from '../../config';
import { createLogger } from '../../log';
import type { Parley } from '../../parley';
import type { RoomKey } from '../../protocol/ids';
import type { SearchHit } from '../../storage/search-store';
import { conversationHash } from '../../shell/router.svelte';

const log = createLogger('search');

/** The longest a chosen result waits for its room to open. */
const OPEN_WAIT_MS = 15_000;

/** Resolves true once `condition` holds (it is reactive state), false after `timeoutMs`. */
function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let isDone = false;
    const finish = (value: boolean): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      // Not from inside the effect that is running: stop it once it has returned.
      queueMicrotask(stop);
      resolve(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const stop = $effect.root(() => {
      $effect(() => {
        if (condition()) finish(true);
      });
    });
  });
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
  if (!(await until(() => app.timeline.isReady(room), OPEN_WAIT_MS))) return false;
  const index = await app.search.load();
  const half = MESSAGE_PAGE_SIZE / 2;
  const page = await index.readAround(room, hit, half, half);
  return app.timeline.showAt(room, page, hitKey(hit));
}

/** Reads the page after the newest shown message of `room` (after `openAtMessage`). */
export async function showNewer(app: Parley, room: RoomKey): Promise<void> {
  const newest = app.timeline.newestShown(room);
  if (!newest) return;
  try {
    const index = await app.search.load();
    const page = await index.readAfter(room, newest, MESSAGE_PAGE_SIZE + 1);
    app.timeline.showNewer(room, page.slice(0, MESSAGE_PAGE_SIZE), page.length > MESSAGE_PAGE_SIZE);
  } catch (error) {
    log.error('reading later messages failed', error);
  }
}
