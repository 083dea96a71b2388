/**
 * The kernel (STYLE "A small kernel, then one folder per feature"): start-up, the network lock,
 * the room directory, presence, the tab bus and the typed event bus. It knows no feature: the
 * composition root (web/src/lib/parley.ts) installs their frame handlers, loaders and admission
 * rules, and features follow the bus.
 */
import { createLogger } from '../log';
import type { AppFrame, MeshIdentity, MeshPeer } from '../net/room-mesh';
import type { Transport } from '../net/transport';
import type { ChatStore, StoreChange, StoredIdentity } from '../storage/chat-store';
import type { Fingerprint } from '../protocol/ids';
import type { AppEvents } from './app-events';
import { EventBus } from './event-bus';
import { dispatchFrame, type FrameHandlers } from './frames';
import { Network } from './network.svelte';
import type { NetworkLock } from './network-lock';
import { networkLocks } from './web-locks';
import { errorMessage, Notices, type Notice } from './notices.svelte';
import { Presence } from './presence.svelte';
import { RoomDirectory } from './room-directory';
import { TabBus } from './tab-bus';

const log = createLogger('kernel');

/**
 * Where the app is in its life. 'outdated': another tab upgraded the database and this tab's
 * connection to it closed; only a reload helps.
 */
export type AppPhase = 'loading' | 'onboarding' | 'ready' | 'fatal' | 'outdated';

/** What the store tells the kernel while it is open. */
export interface StoreEvents {
  /** Another tab upgraded the database, and this connection closed itself. */
  onVersionChange(): void;
}

/** What the composition root hands the kernel: the outside world, as ports. */
export interface KernelDeps {
  /** Opens the local database. */
  openStore(events: StoreEvents): Promise<ChatStore>;
  /** Builds the transport (the PeerJS one in the app), read when the network starts. */
  createTransport(): Promise<Transport>;
  /** Deletes the local database (after the kernel closed it); for "Delete all data". */
  deleteStore?: () => Promise<void>;
  /** Wall clock; injectable for tests. */
  now?: () => number;
}

/** What features add to the kernel, once, before `init`. */
export interface KernelInstall {
  /** One handler per app frame type. */
  frames: FrameHandlers;
  /** Run in order once the store is open, before the first screen shows. */
  loaders: readonly ((store: ChatStore) => Promise<void>)[];
  /** A member is admitted on a link only if every one of these admits them. */
  admits: readonly ((peer: MeshPeer) => boolean)[];
}

/** The kernel of one tab. */
export class Kernel {
  readonly #deps: KernelDeps;
  /** The app's event bus. */
  readonly bus = new EventBus<AppEvents>();
  /** The notice shown to the person. */
  readonly notices = new Notices();
  /** Who is linked now. */
  readonly presence = new Presence();
  /** The rooms this tab is in. */
  readonly directory: RoomDirectory;
  /** The network of this tab. */
  readonly network: Network;
  /** Wall clock. */
  readonly now: () => number;

  #phase = $state<AppPhase>('loading');
  #fatal = $state.raw<Notice | null>(null);
  #identity = $state.raw<StoredIdentity | null>(null);
  #store: ChatStore | null = null;
  #installed: KernelInstall | null = null;
  #tabs: TabBus | null = null;
  #lock: NetworkLock | null = null;
  #unsubscribeStore: (() => void) | null = null;

  constructor(deps: KernelDeps) {
    this.#deps = deps;
    this.now = deps.now ?? Date.now;
    this.directory = new RoomDirectory((room) => {
      this.presence.dropRoom(room);
      this.network.forgetRoom(room);
      this.bus.emit('room-left', { room });
    });
    this.network = new Network({
      createTransport: () => this.#deps.createTransport(),
      identity: () => this.#meshIdentity(),
      directory: this.directory,
      notices: this.notices,
      isOutdated: () => this.#phase === 'outdated',
      admits: (peer) => this.#installed?.admits.every((admits) => admits(peer)) ?? false,
      onPeerReady: (peer) => this.#handlePeerReady(peer),
      onPeerGone: (peer) => this.#handlePeerGone(peer),
      onFrame: (peer, frame) => this.#handleFrame(peer, frame),
      onUp: (up) => this.bus.emit('network-up', up),
      onDown: () => {
        this.bus.emit('network-down', undefined);
        this.presence.clear();
      },
    });
  }

  /** Where the app is in its life. */
  get phase(): AppPhase {
    return this.#phase;
  }
  /** Why the app could not start (phase 'fatal'). */
  get fatal(): Notice | null {
    return this.#fatal;
  }
  /** The local identity once created. */
  get identity(): StoredIdentity | null {
    return this.#identity;
  }
  /** Our fingerprint, once there is an identity. */
  get self(): Fingerprint | undefined {
    return this.#identity?.fingerprint;
  }
  /** The open store (null before `init`, and after the database was deleted or upgraded). */
  get store(): ChatStore | null {
    return this.#store;
  }

  /** Adds the features' frame handlers, loaders and admission rules (once, before `init`). */
  install(features: KernelInstall): void {
    if (this.#installed) throw new Error('features are installed once');
    this.#installed = features;
  }

  /**
   * Opens the database and shows the app (history is readable at once); the network starts after,
   * so a slow or unreachable server never holds the first screen.
   */
  async init(): Promise<void> {
    // WebCrypto exists only in secure contexts: a plain-http LAN address has no crypto.subtle.
    if (!hasWebCrypto()) {
      this.#fail({ key: 'app.insecureContext' });
      return;
    }
    let store: ChatStore;
    try {
      store = await this.#deps.openStore({ onVersionChange: () => this.#handleVersionChange() });
    } catch (error) {
      log.error('opening the store failed', error);
      this.#fail({ key: 'app.storageUnavailable', params: { reason: errorMessage(error) } });
      return;
    }
    this.#store = store;
    this.#unsubscribeStore = store.subscribe((change) => this.#handleStoreChange(change));
    let identity: StoredIdentity | undefined;
    try {
      for (const load of this.#installed?.loaders ?? []) await load(store);
      identity = await store.getIdentity();
    } catch (error) {
      log.error('startup failed', error);
      this.#fail({ key: 'app.fatal', params: { reason: errorMessage(error) } });
      return;
    }
    if (this.#phase !== 'loading') return;
    if (!identity) {
      this.#phase = 'onboarding';
      return;
    }
    this.#becomeReady(identity);
  }

  /** Onboarding made the identity: the app is ready and the network starts. */
  identityCreated(identity: StoredIdentity): void {
    if (this.#phase !== 'onboarding') return;
    this.#becomeReady(identity);
  }

  /** The identity changed here (a new name): presented in every later handshake. */
  identityChanged(identity: StoredIdentity): void {
    const before = this.#identity;
    this.#identity = identity;
    if (before && before.name === identity.name && before.color === identity.color) return;
    this.network.links.setProfile({ name: identity.name, color: identity.color });
  }

  /** "Use here": this tab takes the network from the tab that has it. */
  useNetworkHere(): void {
    if (!this.#identity || !this.network.isElsewhere) return;
    this.#lock?.steal();
  }

  /** The network came back or the page became visible: reconnect now rather than later. */
  nudge(): void {
    this.network.nudge();
  }

  /** The page is going away: features say their last words, then links hear `bye`. */
  sayGoodbye(): void {
    this.bus.emit('page-leave', undefined);
    this.network.sayGoodbye();
  }

  /**
   * Deletes everything this browser holds for Parley's database: leaves the network, closes and
   * deletes the store. The caller then clears caches and reloads (the app starts at onboarding).
   */
  async deleteAllData(): Promise<boolean> {
    this.network.stop();
    this.#lock?.release();
    this.#lock = null;
    this.#tabs?.close();
    this.#tabs = null;
    this.#unsubscribeStore?.();
    this.#unsubscribeStore = null;
    this.#store?.close();
    this.#store = null;
    this.#phase = 'loading';
    try {
      await this.#deps.deleteStore?.();
      return true;
    } catch (error) {
      log.error('deleting the database failed', error);
      this.#fail({ key: 'settings.deleteFailed', params: { reason: errorMessage(error) } });
      return false;
    }
  }

  #becomeReady(identity: StoredIdentity): void {
    this.#identity = identity;
    this.#phase = 'ready';
    this.#tabs ??= new TabBus(identity.fingerprint, (change) => {
      this.store?.noteOtherTabChange();
      this.#announce(change, true);
    });
    this.bus.emit('ready', undefined);
    this.#startNetworkSoon();
  }

  /**
   * Starts the network once this tab holds the profile's network lock (DESIGN §4). Without Web
   * Locks (old browsers, unit tests) it starts at once.
   */
  #startNetworkSoon(): void {
    const locks = networkLocks();
    if (!locks) {
      this.network.run();
      return;
    }
    // The lock's code loads now, off the first screen (the network starts after it anyway).
    import('./network-lock').then(
      ({ NetworkLock }) => {
        // The data was deleted meanwhile, or the lock is claimed already.
        if (this.#phase !== 'ready' || this.#lock) return;
        this.#lock = new NetworkLock(locks, {
          onAcquired: () => {
            this.network.isElsewhere = false;
            this.network.run();
          },
          onElsewhere: () => {
            this.network.isElsewhere = true;
          },
          onLost: () => {
            this.network.stop();
            this.network.isElsewhere = true;
          },
        });
        this.#lock.claim();
      },
      (error: unknown) => log.error('loading the network lock failed: no network', error),
    );
  }

  #handleStoreChange(change: StoreChange): void {
    // This tab first (its links get new events at once), then the other tabs.
    this.#announce(change, false);
    this.#tabs?.post(change);
  }

  #announce(change: StoreChange, isFromOtherTab: boolean): void {
    if (change.type === 'identity' && isFromOtherTab) this.#adoptOtherTabsIdentity();
    this.bus.emit('change', { change, isFromOtherTab });
  }

  /** Another tab renamed us: show it, and present it if this tab has the network. */
  #adoptOtherTabsIdentity(): void {
    const store = this.#store;
    if (!store || !this.#identity) return;
    store
      .getIdentity()
      .then((identity) => {
        if (identity) this.identityChanged(identity);
      })
      .catch((error: unknown) => log.error('reading the identity failed', error));
  }

  #meshIdentity(): MeshIdentity | null {
    const identity = this.#identity;
    if (!identity) return null;
    return {
      privateKey: identity.privateKey,
      spki: identity.spki,
      fingerprint: identity.fingerprint,
      profile: { name: identity.name, color: identity.color },
      devices: identity.devices,
    };
  }

  #handlePeerReady(peer: MeshPeer): void {
    const source = this.directory.sourceOf(peer.room);
    if (source && !source.isListed) {
      // A room that is not a conversation (an invite's): nothing to sync, nobody to list.
      source.onPeerReady?.(peer);
      return;
    }
    this.presence.add(peer);
    this.network.roomWorks(peer.room);
    this.bus.emit('peer-ready', peer);
  }

  #handlePeerGone(peer: MeshPeer): void {
    const source = this.directory.sourceOf(peer.room);
    if (source && !source.isListed) {
      source.onPeerGone?.(peer);
      return;
    }
    this.bus.emit('link-gone', peer);
    if (this.presence.remove(peer)) this.bus.emit('peer-gone', peer);
  }

  async #handleFrame(peer: MeshPeer, frame: AppFrame): Promise<void> {
    const frames = this.#installed?.frames;
    if (frames) await dispatchFrame(frames, peer, frame);
  }

  /** Another tab upgraded the database and ours closed: stop everything and ask for a reload. */
  #handleVersionChange(): void {
    log.warn('another tab upgraded the database: reload');
    this.#phase = 'outdated';
    this.network.stop();
    this.#store = null;
  }

  /** The app cannot go on: show why. */
  #fail(reason: Notice): void {
    if (this.#phase === 'outdated') return;
    this.#fatal = reason;
    this.#phase = 'fatal';
  }
}

/** WebCrypto is there (it is missing outside secure contexts, e.g. on http://192.168.…). */
function hasWebCrypto(): boolean {
  const subtle = (globalThis.crypto as Partial<Crypto> | undefined)?.subtle;
  return globalThis.isSecureContext !== false && subtle !== undefined;
}
