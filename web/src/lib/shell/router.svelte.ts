/**
 * Hash routing: `#/` is home, `#/r/<secret>` a room, `#/d/<fingerprint>` the direct chat with a
 * contact, `#/i/<secret>` a one-time contact invite, `#/settings` Settings, `#/share` the "Share to…"
 * picker of the share target. Secrets live only in the fragment, which
 * browsers never send to a server (DESIGN §1.3).
 */
import { isFingerprint } from '../protocol/id-formats';
import type { Fingerprint } from '../protocol/ids';

/** Where the app is: home, a room by its secret, or the direct chat with a contact. */
export type Route =
  | { name: 'home' }
  | { name: 'room'; secret: string; owner?: Fingerprint }
  | { name: 'direct'; fingerprint: Fingerprint }
  | { name: 'invite'; secret: string }
  | { name: 'settings' }
  | { name: 'share' };

/** The hash of the Settings screen. */
export const SETTINGS_HASH = '#/settings';

/** Parses a location hash into a route; unknown hashes go home. */
export function parseRoute(hash: string): Route {
  const match = /^#\/r\/([^/?#]*)(?:\/([A-Z2-7]{52}))?/.exec(hash);
  if (match) {
    const secret = decodeSecret(match[1] ?? '');
    const owner = match[2];
    return isFingerprint(owner) ? { name: 'room', secret, owner } : { name: 'room', secret };
  }
  const direct = /^#\/d\/([A-Z2-7]{52})$/.exec(hash)?.[1];
  if (isFingerprint(direct)) return { name: 'direct', fingerprint: direct };
  const invite = /^#\/i\/([^/?#]*)/.exec(hash);
  if (invite) return { name: 'invite', secret: decodeSecret(invite[1] ?? '') };
  if (hash === SETTINGS_HASH) return { name: 'settings' };
  if (hash === '#/share') return { name: 'share' };
  return { name: 'home' };
}

/** The hash of the direct chat with a contact (no secret in it: the chat needs no link). */
export function directHash(fingerprint: string): string {
  return `#/d/${fingerprint}`;
}

/** Undoes percent-encoding; a malformed escape (`%`, `%zz`) gives '', which the room calls invalid. */
function decodeSecret(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (error) {
    if (error instanceof URIError) return '';
    throw error;
  }
}

/**
 * The hash of a room's link: its secret, then its owner's fingerprint when known (the owner may
 * remove members; older builds read only the secret).
 */
export function roomHash(secret: string, owner?: string): string {
  return owner ? `#/r/${secret}/${owner}` : `#/r/${secret}`;
}

/** Where a conversation opens: a room by its link's hash, a direct chat by its contact. */
export function conversationHash(c: {
  kind: string;
  secret: string;
  contact?: string;
  owner?: string;
}): string {
  return c.kind === 'direct' && c.contact ? directHash(c.contact) : roomHash(c.secret, c.owner);
}

/** The full shareable link of a room. */
export function roomLink(secret: string, owner?: string, origin = location.origin): string {
  return `${origin}/${roomHash(secret, owner)}`;
}

/** What should take focus once the next route shows (a keyboard user's next step). */
export type FocusRequest = 'composer';

/** The current route, following `hashchange`. */
export class Router {
  #hash = $state(typeof location === 'undefined' ? '' : location.hash);
  #route = $derived(parseRoute(this.#hash));
  #focusRequest: FocusRequest | null = null;

  /** The current route. */
  get route(): Route {
    return this.#route;
  }

  /** Starts following the location; returns the cleanup. */
  listen(): () => void {
    const update = (): void => {
      this.#hash = location.hash;
    };
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }

  /**
   * Goes to a route by hash (adds a history entry). `focus`: what takes focus when the route
   * shows (a new room's composer), taken once with `takeFocus`; any later `go` drops it.
   */
  go(hash: string, focus?: FocusRequest): void {
    this.#focusRequest = focus ?? null;
    if (location.hash === hash) return;
    location.hash = hash;
  }

  /** True once if the last `go` asked for `target` to take focus. */
  takeFocus(target: FocusRequest): boolean {
    if (this.#focusRequest !== target) return false;
    this.#focusRequest = null;
    return true;
  }

  /** Goes to a route by hash in place of the current entry, so Back does not return to it. */
  replace(hash: string): void {
    if (location.hash === hash) return;
    location.replace(hash);
  }
}
