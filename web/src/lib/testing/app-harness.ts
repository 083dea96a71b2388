/**
 * Test harness for the whole app state (kernel and features) over a real IndexedDB
 * (fake-indexeddb) and, where wanted, the in-memory network. Each test gets databases of its
 * own; every store opened is closed after it. Not part of the app.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { Devices } from '../features/calls/devices';
import type { MemoryHub } from '../net/memory-transport';
import type { Transport } from '../net/transport';
import { createParley, type Parley, type ParleyDeps } from '../parley';
import { openIdbFileStore, type IdbFileStore } from '../storage/idb-files';
import { openIdbSearchIndex, type IdbSearchIndex } from '../storage/idb-search';
import type { ChatStore } from '../storage/chat-store';
import type { RoomKey } from '../protocol/ids';
import { openIdbStore, type IdbChatStore } from '../storage/idb-store';

/** A transport that never arrives, like a `/ice` that hangs: the app must not wait for it. */
export const neverTransport = (): Promise<Transport> => new Promise<Transport>(() => undefined);

/** The store with every method bound to it, except those replaced. */
export function overriding(store: ChatStore, replaced: Partial<ChatStore>): ChatStore {
  return new Proxy(store, {
    get(target, key) {
      if (Object.hasOwn(replaced, key)) return replaced[key as keyof ChatStore];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** Devices for Node, which has none: stand-in streams (the call logic is what is tested). */
export const standInDevices: Devices = {
  openLocalMedia: () =>
    Promise.resolve({
      stream: {
        getTracks: () => [],
        getAudioTracks: () => [],
        getVideoTracks: () => [],
      } as unknown as MediaStream,
      hasMic: true,
      hasCamera: true,
      problem: null,
    }),
  openDevice: () => Promise.reject(new Error('no devices in tests')),
  openScreen: () => Promise.reject(new Error('no screen in tests')),
  placeholderTrack: () => {
    throw new Error('no tracks in tests');
  },
  listDevices: () => Promise.resolve({ audioinput: [], videoinput: [], audiooutput: [] }),
};

/** Options of a member on the in-memory network. */
export interface MemberOptions {
  /** Store methods replaced (failures, spies). */
  replaced?: Partial<ChatStore>;
  /** Other dependencies replaced. */
  deps?: Partial<ParleyDeps>;
}

/** The harness of one test file: call once at the top level (it registers hooks). */
export function appHarness(options: { now?: number } = {}) {
  let dbName = '';
  const opened: IdbChatStore[] = [];
  const openedFiles: IdbFileStore[] = [];
  const openedSearch: IdbSearchIndex[] = [];
  /** Apps on the network: stopped before their stores close, so nothing of theirs runs on. */
  const members: Parley[] = [];

  /** The app's logs go to mocks (tests read them; none reach the test runner's console). */
  function quietConsole(): void {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
  }

  beforeEach(() => {
    quietConsole();
    dbName = `parley-test-${crypto.randomUUID()}`;
  });

  afterEach(() => {
    // Their sync engines stop first: a `have` already on its way then ends quietly, instead of
    // reading a closed store and logging after the test file is gone.
    for (const app of members.splice(0)) app.kernel.network.stop();
    for (const s of opened.splice(0)) s.close();
    for (const s of openedFiles.splice(0)) s.close();
    for (const s of openedSearch.splice(0)) s.close();
    vi.restoreAllMocks();
    // Quiet again at once: work of this test still under way (a write that meets the closed
    // store) may log after it ended, and a log reaching the runner after the file's last test
    // fails the run (EnvironmentTeardownError).
    quietConsole();
  });

  /** Opens a database with some store methods replaced. */
  function openStoreReplacing(
    replaced: Partial<ChatStore>,
    name = dbName,
  ): ParleyDeps['openStore'] {
    return async (events) => {
      const store = await openIdbStore({ name, onVersionChange: () => events.onVersionChange() });
      opened.push(store);
      return overriding(store, replaced);
    };
  }

  /** Opens the file store of database `name` (closed after the test). */
  function openFilesOf(name: string): ParleyDeps['openFileStore'] {
    return async () => {
      const files = await openIdbFileStore({ name });
      openedFiles.push(files);
      return files;
    };
  }

  /** Opens the search index of database `name` (closed after the test). */
  function openSearchOf(name: string): ParleyDeps['openSearchIndex'] {
    return async () => {
      const index = await openIdbSearchIndex({ name });
      openedSearch.push(index);
      return index;
    };
  }

  /** An app on this test's database, with no network. */
  function makeApp(overrides: Partial<ParleyDeps> = {}): Parley {
    return createParley({
      openStore: openStoreReplacing({}),
      openFileStore: openFilesOf(dbName),
      openSearchIndex: openSearchOf(dbName),
      createTransport: neverTransport,
      loadDevices: () => Promise.resolve(standInDevices),
      ...(options.now === undefined ? {} : { now: () => options.now as number }),
      ...overrides,
    });
  }

  /** An app past onboarding (named Ada), with no network. */
  async function readyApp(overrides: Partial<ParleyDeps> = {}): Promise<Parley> {
    const app = makeApp(overrides);
    await app.kernel.init();
    expect(await app.profile.createIdentity('Ada')).toEqual({ ok: true });
    return app;
  }

  /**
   * A ready app with a database of its own (per test and name) on the in-memory network, as
   * peer `peer-<name>`.
   */
  async function memberOn(
    hub: MemoryHub,
    name: string,
    member: MemberOptions = {},
  ): Promise<Parley> {
    const app = createParley({
      openStore: openStoreReplacing(member.replaced ?? {}, `${dbName}-${name}`),
      openFileStore: openFilesOf(`${dbName}-${name}`),
      openSearchIndex: openSearchOf(`${dbName}-${name}`),
      createTransport: () => Promise.resolve(hub.createTransport(`peer-${name}`)),
      loadDevices: () => Promise.resolve(standInDevices),
      ...member.deps,
    });
    members.push(app);
    await app.kernel.init();
    expect(await app.profile.createIdentity(name)).toEqual({ ok: true });
    return app;
  }

  /** Creates a room in `app` and opens it; its key. */
  async function openNewRoom(app: Parley): Promise<RoomKey> {
    const secret = await app.conversations.createRoom();
    const open = secret ? await app.timeline.openRoom(secret) : null;
    if (open?.status !== 'open') throw new Error(`room not open: ${open?.status ?? 'not created'}`);
    return open.room;
  }

  /** Closes `store` after the test. */
  function track(store: IdbChatStore): void {
    opened.push(store);
  }

  /** Opens this test's database directly (seeding, reading back); closed after the test. */
  async function openStore(name = dbName): Promise<IdbChatStore> {
    const store = await openIdbStore({ name });
    opened.push(store);
    return store;
  }

  return {
    /** This test's database name. */
    get dbName(): string {
      return dbName;
    },
    openStoreReplacing,
    track,
    makeApp,
    readyApp,
    memberOn,
    openStore,
    openNewRoom,
  };
}
