/**
 * Builds the real services once: the IndexedDB store and the PeerJS transport (DESIGN §2,
 * composition root). Nothing else constructs them.
 */
import * as v from 'valibot';
import { ICE_CONFIG_PATH, ICE_FETCH_TIMEOUT_MS } from './lib/config';
import { createLogger } from './lib/log';
import { PeerJsTransport } from './lib/net/peerjs-transport';
import type { Transport } from './lib/net/transport';
import { ChatSession, type StoreEvents } from './lib/state/chat-session.svelte';
import type { ChatStore } from './lib/storage/chat-store';
import { openIdbStore } from './lib/storage/idb-store';

const log = createLogger('bootstrap');

/** One entry of `/ice`: what RTCPeerConnection accepts, nothing else (unknown keys dropped). */
const iceServerSchema = v.object({
  urls: v.union([v.string(), v.pipe(v.array(v.string()), v.nonEmpty())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

/** The ICE servers in a `/ice` body; malformed entries are dropped with a warning. */
export function parseIceServers(body: unknown): RTCIceServer[] {
  const list =
    typeof body === 'object' && body !== null && 'iceServers' in body ? body.iceServers : null;
  if (!Array.isArray(list)) {
    log.warn('ignored an /ice answer without an iceServers list');
    return [];
  }
  return list.flatMap((entry: unknown): RTCIceServer[] => {
    const parsed = v.safeParse(iceServerSchema, entry);
    if (parsed.success) return [parsed.output];
    log.warn('ignored a malformed ICE server entry:', v.summarize(parsed.issues));
    return [];
  });
}

/** ICE servers from the signal server's `/ice` (none configured or no answer in time → `[]`). */
async function fetchIceServers(): Promise<RTCIceServer[]> {
  try {
    const response = await fetch(ICE_CONFIG_PATH, {
      cache: 'no-store',
      signal: AbortSignal.timeout(ICE_FETCH_TIMEOUT_MS),
    });
    if (!response.ok) return [];
    return parseIceServers(await response.json());
  } catch (error) {
    log.info('no ICE configuration from the server; using host candidates only', error);
    return [];
  }
}

/** Creates the session with the real store and transport. */
export function createSession(): ChatSession {
  return new ChatSession({
    openStore: async (events: StoreEvents): Promise<ChatStore> =>
      openIdbStore({ onVersionChange: () => events.onVersionChange() }),
    createTransport: async (): Promise<Transport> =>
      new PeerJsTransport({
        signalUrl: new URL(location.origin),
        iceServers: await fetchIceServers(),
        refreshIceServers: fetchIceServers,
      }),
  });
}
