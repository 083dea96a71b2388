/**
 * This tab's PeerJS session (DESIGN §4): a random peer id and token, kept in sessionStorage so a
 * network blip or a reload re-claims the same id, and held under a Web Lock so a duplicated tab
 * (which inherits sessionStorage) takes a fresh one. No PeerJS here: only its id rules.
 */
import { PEER_SESSION_STORAGE_KEY } from '../config-network';
import { createLogger } from '../log';
import type { PeerId } from '../protocol/ids';

const log = createLogger('peerjs');

/** A tab's PeerJS id and the token that lets it re-claim the id. */
export interface PeerSession {
  id: PeerId;
  token: string;
}

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function newPeerSession(): PeerSession {
  return { id: `p${randomHex(16)}` as PeerId, token: randomHex(16) };
}

/** This tab's peer ID and token, kept in sessionStorage to re-claim the ID after a blip. */
function loadPeerSession(): PeerSession {
  try {
    const raw = sessionStorage.getItem(PEER_SESSION_STORAGE_KEY);
    if (raw) {
      const parsed: unknown = JSON.parse(raw);
      if (
        parsed &&
        typeof parsed === 'object' &&
        'id' in parsed &&
        'token' in parsed &&
        typeof parsed.id === 'string' &&
        typeof parsed.token === 'string' &&
        /^p[0-9a-f]{32}$/.test(parsed.id)
      ) {
        return { id: parsed.id as PeerId, token: parsed.token };
      }
    }
  } catch (error) {
    log.warn('could not read the peer session; starting a new one', error);
  }
  return storePeerSession(newPeerSession());
}

function storePeerSession(session: PeerSession): PeerSession {
  try {
    sessionStorage.setItem(PEER_SESSION_STORAGE_KEY, JSON.stringify(session));
  } catch (error) {
    log.warn('could not keep the peer session; a reload will get a new peer ID', error);
  }
  return session;
}

/**
 * This tab's session, held under a Web Lock for the life of the page. A duplicated tab inherits
 * sessionStorage, so without the lock two tabs would share one ID and keep replacing each other's
 * signal socket; the second one takes a fresh session instead.
 */
export async function claimPeerSession(isFresh = false): Promise<PeerSession> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  let session = isFresh ? storePeerSession(newPeerSession()) : loadPeerSession();
  if (!locks) return session;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const isHeld = await holdLock(locks, `parley:peer:${session.id}`);
    if (isHeld) return session;
    session = storePeerSession(newPeerSession());
  }
  return session;
}

/** Takes a lock if free and keeps it until the page goes away; false when another tab has it. */
function holdLock(locks: LockManager, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        // Never settles while we hold it: the lock is released when the page unloads.
        return lock ? new Promise<void>(() => undefined) : undefined;
      })
      .catch(reject);
  });
}
