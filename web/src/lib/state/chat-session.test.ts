import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeFingerprint, makeConversation, makeEvent } from '../chat/test-factories';
import { newRoomSecret, roomKeyFromSecret } from '../crypto/room-keys';
import type { Transport } from '../net/transport';
import { StoreFailure, type ChatStore } from '../storage/chat-store';
import { DB_VERSION, openIdbStore, type IdbChatStore } from '../storage/idb-store';
import { ChatSession, type ChatSessionDeps } from './chat-session.svelte';

const ALICE = fakeFingerprint(2);
const NOW = 1_700_000_000_000;

let dbName: string;
const opened: IdbChatStore[] = [];

/** A transport that never arrives, like a `/ice` that hangs: the app must not wait for it. */
const neverTransport = (): Promise<Transport> => new Promise<Transport>(() => undefined);

function makeSession(overrides: Partial<ChatSessionDeps> = {}): ChatSession {
  return new ChatSession({
    openStore: async (events) => {
      const store = await openIdbStore({
        name: dbName,
        onVersionChange: () => events.onVersionChange(),
      });
      opened.push(store);
      return store;
    },
    createTransport: neverTransport,
    now: () => NOW,
    ...overrides,
  });
}

/** A session past onboarding, with no network. */
async function readySession(overrides: Partial<ChatSessionDeps> = {}): Promise<ChatSession> {
  const session = makeSession(overrides);
  await session.init();
  expect(await session.createIdentity('Ada')).toEqual({ ok: true });
  return session;
}

/** The store with every method bound to it, except those replaced. */
function overriding(store: ChatStore, replaced: Partial<ChatStore>): ChatStore {
  return new Proxy(store, {
    get(target, key) {
      if (Object.hasOwn(replaced, key)) return replaced[key as keyof ChatStore];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  dbName = `parley-session-test-${crypto.randomUUID()}`;
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('startup', () => {
  it('shows the app and its history without waiting for the network', async () => {
    const first = await readySession();
    const secret = await first.createRoom();
    expect(secret).not.toBeNull();

    const session = makeSession();
    await session.init();
    expect(session.phase).toBe('ready');
    expect(session.conversations).toHaveLength(1);
    expect(session.status).toBe('connecting');
  });

  it('explains that it needs a secure address when WebCrypto is missing', async () => {
    vi.stubGlobal('isSecureContext', false);
    try {
      const session = makeSession();
      await session.init();
      expect(session.phase).toBe('fatal');
      expect(session.fatal).toEqual({ key: 'app.insecureContext' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stays usable and says so when the network cannot start', async () => {
    const session = await readySession({
      createTransport: () => Promise.reject(new Error('no WebRTC')),
    });
    await vi.waitFor(() => expect(session.notice?.key).toBe('error.networkFailed'));
    expect(session.phase).toBe('ready');
    expect(session.status).toBe('offline');
  });

  it('asks for a reload when another tab upgrades the database', async () => {
    const session = await readySession();
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(dbName, DB_VERSION + 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    expect(session.phase).toBe('outdated');
    upgraded.close();
  });
});

describe('createIdentity', () => {
  it('refuses names with control or text-direction characters, saying why', async () => {
    const session = makeSession();
    await session.init();
    expect(session.phase).toBe('onboarding');
    for (const name of ['Ada\u202Eevil', 'Ada\tB', '   ']) {
      const result = await session.createIdentity(name);
      expect(result.ok).toBe(false);
    }
    expect(await session.createIdentity('Ada\u2066x')).toEqual({
      ok: false,
      error: { key: 'onboarding.nameInvalid' },
    });
    expect(session.phase).toBe('onboarding');
  });

  it('reports a store failure on the form instead of failing silently', async () => {
    const session = makeSession({
      openStore: async () => {
        const store = await openIdbStore({ name: dbName });
        opened.push(store);
        return overriding(store, {
          putIdentity: () =>
            Promise.resolve({ ok: false, error: { kind: 'unknown', message: 'disk gone' } }),
        });
      },
    });
    await session.init();
    expect(await session.createIdentity('Ada')).toEqual({
      ok: false,
      error: { key: 'onboarding.saveFailed', params: { reason: 'disk gone' } },
    });
    expect(session.phase).toBe('onboarding');
  });
});

describe('openRoom', () => {
  it('lets the later of two opens win, whichever finishes first', async () => {
    const session = await readySession();
    const existing = await session.createRoom();
    const fresh = newRoomSecret();
    const [a, b] = await Promise.all([session.openRoom(fresh), session.openRoom(existing!)]);
    expect(a).toEqual({ status: 'superseded' });
    expect(b).toEqual({ status: 'open', room: await roomKeyFromSecret(existing!) });
    expect(session.activeRoom).toBe(await roomKeyFromSecret(existing!));
  });

  it('opens nothing when the view closed before the open finished', async () => {
    const session = await readySession();
    const secret = newRoomSecret();
    const opening = session.openRoom(secret);
    session.closeRoom(secret);
    expect(await opening).toEqual({ status: 'superseded' });
    expect(session.activeRoom).toBeNull();
  });

  it('ignores the close of a view that a newer open replaced', async () => {
    const session = await readySession();
    const [a, b] = [newRoomSecret(), newRoomSecret()];
    const first = session.openRoom(a);
    const second = session.openRoom(b);
    session.closeRoom(a);
    expect(await first).toEqual({ status: 'superseded' });
    expect(await second).toEqual({ status: 'open', room: await roomKeyFromSecret(b) });
  });

  it('tells a malformed link from a store failure', async () => {
    const session = makeSession({
      openStore: async () => {
        const store = await openIdbStore({ name: dbName });
        opened.push(store);
        return overriding(store, {
          createConversation: () =>
            Promise.resolve({ ok: false, error: { kind: 'unknown', message: 'disk gone' } }),
        });
      },
    });
    await session.init();
    await session.createIdentity('Ada');
    expect(await session.openRoom('not-a-secret')).toEqual({ status: 'invalid' });
    expect(await session.openRoom(newRoomSecret())).toEqual({ status: 'failed' });
    expect(session.notice?.key).toBe('error.roomSaveFailed');
  });

  it('still opens the room when marking it read fails, and reports that', async () => {
    const secret = newRoomSecret();
    const room = await roomKeyFromSecret(secret);
    const seed = await openIdbStore({ name: dbName });
    await seed.putConversation(makeConversation({ id: room, secret }));
    await seed.addEvents([makeEvent({ conv: room, author: ALICE })], NOW);
    seed.close();
    const session = await readySession({
      openStore: async (events) => {
        const store = await openIdbStore({
          name: dbName,
          onVersionChange: () => events.onVersionChange(),
        });
        opened.push(store);
        return overriding(store, {
          markRead: () => Promise.reject(new StoreFailure({ kind: 'unknown', message: 'locked' })),
        });
      },
    });
    expect(session.conversation(room)?.unread).toBe(1);
    expect(await session.openRoom(secret)).toEqual({ status: 'open', room });
    expect(session.messagesOf(room)).toHaveLength(1);
    expect(session.notice).toEqual({ key: 'error.markReadFailed', params: { reason: 'locked' } });
  });
});

describe('send', () => {
  it('stores into the room it is given, not the one open now', async () => {
    const session = await readySession();
    const [a, b] = [(await session.createRoom())!, (await session.createRoom())!];
    const [roomA, roomB] = [await roomKeyFromSecret(a), await roomKeyFromSecret(b)];
    await session.openRoom(b);
    expect(await session.send(roomA, 'for A')).toBe(true);
    expect(session.conversation(roomA)?.lastPreview).toContain('for A');
    expect(session.conversation(roomB)?.lastPreview).toBe('');
    expect(session.messagesOf(roomB)).toEqual([]);
  });
});
