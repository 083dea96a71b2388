/**
 * Builds the real services once: the IndexedDB store and the PeerJS transport (DESIGN §2,
 * composition root). Nothing else constructs them.
 */
import type { Transport } from './lib/net/transport';
import type { StoreEvents } from './lib/kernel/kernel.svelte';
import type { NetworkSettings } from './lib/features/settings/settings.svelte';
import { networkLocks } from './lib/kernel/web-locks';
import { createLogger } from './lib/log';
import { createParley, type Parley } from './lib/parley';
import type { ChatStore } from './lib/storage/chat-store';
import { deleteIdbDatabase } from './lib/storage/idb-schema';
import { openIdbStore } from './lib/storage/idb-store';

/**
 * Builds the PeerJS transport. Loaded after the first screen (the network code is not needed to
 * show history). It starts with the person's ICE servers from Settings; the signal server adds its
 * own on the signalling socket once connected (`X-ICE`), so nothing is waited for here.
 */
async function createTransport(network: NetworkSettings): Promise<Transport> {
  const signalUrl = network.signalUrl ?? new URL(location.origin);
  const { PeerJsTransport } = await import('./lib/net/peerjs-transport');
  return new PeerJsTransport({
    signalUrl,
    iceServers: network.iceServers,
    iceTransportPolicy: network.isRelayOnly ? 'relay' : 'all',
  });
}

/** Creates the app's state with the real store and transport. */
export function createApp(): Parley {
  return createParley({
    openStore: async (events: StoreEvents): Promise<ChatStore> =>
      openIdbStore({ onVersionChange: () => events.onVersionChange() }),
    createTransport,
    deleteStore: () => deleteIdbDatabase(),
    outboxJournal: { storage: webStorage(), locks: networkLocks() },
    openFileStore: async () => (await import('./lib/storage/idb-files')).openIdbFileStore(),
    openSearchIndex: async () =>
      (await import('./lib/storage/worker-search-index')).openWorkerSearchIndex(),
  });
}

/** The page's localStorage, unless the browser refuses it (some privacy modes throw). */
function webStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch (error) {
    createLogger('bootstrap').warn('no localStorage: no outbox journal', error);
    return undefined;
  }
}
