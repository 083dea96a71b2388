/**
 * Builds the real services once: the IndexedDB store and the PeerJS transport (DESIGN §2,
 * composition root). Nothing else constructs them.
 */
import { ICE_CONFIG_PATH } from './lib/config';
import { createLogger } from './lib/log';
import { PeerJsTransport } from './lib/net/peerjs-transport';
import type { Transport } from './lib/net/transport';
import { ChatSession } from './lib/state/chat-session.svelte';
import type { ChatStore } from './lib/storage/chat-store';
import { openIdbStore } from './lib/storage/idb-store';

const log = createLogger('bootstrap');

/** ICE servers from the signal server's `/ice` (none configured → `[]`, fine on a LAN). */
async function fetchIceServers(): Promise<RTCIceServer[]> {
  try {
    const response = await fetch(ICE_CONFIG_PATH, { cache: 'no-store' });
    if (!response.ok) return [];
    const body: unknown = await response.json();
    if (
      body &&
      typeof body === 'object' &&
      'iceServers' in body &&
      Array.isArray(body.iceServers)
    ) {
      return body.iceServers.filter(
        (s: unknown): s is RTCIceServer => typeof s === 'object' && s !== null && 'urls' in s,
      );
    }
  } catch (error) {
    log.info('no ICE configuration from the server; using host candidates only', error);
  }
  return [];
}

/** Creates the session with the real store and transport. */
export function createSession(): ChatSession {
  return new ChatSession({
    openStore: async (): Promise<ChatStore> => openIdbStore(),
    createTransport: async (): Promise<Transport> =>
      new PeerJsTransport({
        signalUrl: new URL(location.origin),
        iceServers: await fetchIceServers(),
      }),
  });
}
