/**
 * Builds the real services once: the IndexedDB store and the PeerJS transport (DESIGN §2,
 * composition root). Nothing else constructs them.
 */
import * as v from 'valibot';
import { ICE_CONFIG_PATH, ICE_FETCH_TIMEOUT_MS } from './lib/config';
import { createLogger } from './lib/log';
import type { Transport } from './lib/net/transport';
import { ChatSession, type StoreEvents } from './lib/state/chat-session.svelte';
import type { NetworkSettings } from './lib/state/settings.svelte';
import type { ChatStore } from './lib/storage/chat-store';
import { deleteIdbDatabase, openIdbStore } from './lib/storage/idb-store';

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
async function fetchIceServers(origin: URL): Promise<RTCIceServer[]> {
  try {
    const response = await fetch(new URL(ICE_CONFIG_PATH, origin), {
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

/**
 * Builds the PeerJS transport. Loaded after the first screen (the network code is not needed to
 * show history). The person's ICE servers from Settings come first, then the signal server's.
 */
async function createTransport(network: NetworkSettings): Promise<Transport> {
  const signalUrl = network.signalUrl ?? new URL(location.origin);
  const withOwn = async (): Promise<RTCIceServer[]> => [
    ...network.iceServers,
    ...(await fetchIceServers(signalUrl)),
  ];
  const [{ PeerJsTransport }, iceServers] = await Promise.all([
    import('./lib/net/peerjs-transport'),
    withOwn(),
  ]);
  return new PeerJsTransport({ signalUrl, iceServers, refreshIceServers: withOwn });
}

/** Creates the session with the real store and transport. */
export function createSession(): ChatSession {
  return new ChatSession({
    openStore: async (events: StoreEvents): Promise<ChatStore> =>
      openIdbStore({ onVersionChange: () => events.onVersionChange() }),
    createTransport,
    deleteStore: () => deleteIdbDatabase(),
  });
}
