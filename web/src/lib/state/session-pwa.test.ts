import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { textOf } from '../chat/events';
import type { ChatEvent } from '../protocol/events';
import { roomKeyFromSecret } from '../crypto/room-keys';
import { MemoryHub } from '../net/memory-transport';
import type { Transport } from '../net/transport';
import { deleteIdbDatabase, openIdbStore, type IdbChatStore } from '../storage/idb-store';
import { ChatSession, type ChatSessionDeps } from './chat-session.svelte';
import type { NetworkSettings } from './settings.svelte';

let dbName: string;
const opened: IdbChatStore[] = [];

function deps(name: string, overrides: Partial<ChatSessionDeps> = {}): ChatSessionDeps {
  return {
    deleteStore: () => deleteIdbDatabase(name),
    openStore: async (events) => {
      const store = await openIdbStore({ name, onVersionChange: () => events.onVersionChange() });
      opened.push(store);
      return store;
    },
    createTransport: () => new Promise<Transport>(() => undefined),
    ...overrides,
  };
}

async function ready(name: string, overrides: Partial<ChatSessionDeps> = {}): Promise<ChatSession> {
  const session = new ChatSession(deps(name, overrides));
  await session.init();
  if (session.phase === 'onboarding') {
    expect(await session.createIdentity(name.split('-').at(-1) ?? 'Ada')).toEqual({ ok: true });
  }
  return session;
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  dbName = `parley-pwa-test-${crypto.randomUUID()}`;
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.restoreAllMocks();
});

describe('settings', () => {
  it('are stored and read back by the next session', async () => {
    const first = await ready(dbName);
    const saved = await first.settings.update({
      theme: 'dark',
      iceServers: [{ urls: 'turn:turn.example.org', username: 'u', credential: 'c' }],
      signalUrl: 'https://signal.example.org',
    });
    expect(saved.ok).toBe(true);

    const next = await ready(dbName);
    expect(next.settings.theme).toBe('dark');
    expect(next.settings.values.signalUrl).toBe('https://signal.example.org');
  });

  it('hand the transport the person’s ICE servers and signal server', async () => {
    await (
      await ready(dbName)
    ).settings.update({
      iceServers: [{ urls: 'stun:stun.example.org', username: '', credential: '' }],
      signalUrl: 'https://signal.example.org',
    });
    const seen = new Promise<NetworkSettings>((resolve) => {
      void ready(dbName, {
        createTransport: (network) => {
          resolve(network);
          return new Promise<Transport>(() => undefined);
        },
      });
    });
    const network = await seen;
    expect(network.iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
    expect(network.signalUrl?.origin).toBe('https://signal.example.org');
  });
});

describe('onMessagesStored', () => {
  it('tells about texts from others as they are stored, not about our own', async () => {
    const hub = new MemoryHub();
    const network = (peer: string) => ({
      createTransport: () => Promise.resolve(hub.createTransport(peer)),
    });
    const alice = await ready(`${dbName}-Alice`, network('peer-alice'));
    const bob = await ready(`${dbName}-Bob`, network('peer-bob'));
    const heardByAlice: string[] = [];
    const heardByBob: string[] = [];
    const listen = (list: string[]) => (_room: string, events: readonly ChatEvent[]) =>
      list.push(...events.map((e) => textOf(e)));
    alice.onMessagesStored(listen(heardByAlice));
    const stop = bob.onMessagesStored(listen(heardByBob));

    const secret = (await alice.createRoom()) ?? '';
    const room = await roomKeyFromSecret(secret);
    await alice.openRoom(secret);
    await bob.openRoom(secret);
    expect(await alice.send(room, 'are you there?')).toBe(true);
    await vi.waitFor(() => expect(heardByBob).toEqual(['are you there?']), { timeout: 5_000 });
    expect(heardByAlice).toEqual([]);

    stop();
    expect(await alice.send(room, 'after unsubscribing')).toBe(true);
    await vi.waitFor(() => expect(bob.messagesOf(room)).toHaveLength(2), { timeout: 5_000 });
    expect(heardByBob).toEqual(['are you there?']);
  });
});

describe('deleteAllData', () => {
  it('deletes the database: the next session starts at onboarding', async () => {
    const first = await ready(dbName);
    expect(await first.createRoom()).not.toBeNull();
    opened.splice(0);
    expect(await first.deleteAllData()).toBe(true);
    const next = new ChatSession(deps(dbName));
    await next.init();
    expect(next.phase).toBe('onboarding');
    expect(next.conversations).toEqual([]);
  });
});
