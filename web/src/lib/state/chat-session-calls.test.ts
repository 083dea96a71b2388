import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryHub } from '../net/memory-transport';
import { openIdbStore, type IdbChatStore } from '../storage/idb-store';
import { ChatSession } from './chat-session.svelte';
import { meetInRoom } from './test-sessions';

// No devices in Node: calls get stand-in streams (the in-memory transport carries no media).
vi.mock('../media/local-media', () => ({
  openLocalMedia: vi.fn(() =>
    Promise.resolve({
      stream: { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] },
      hasMic: true,
      hasCamera: true,
      problem: null,
    }),
  ),
  openDevice: vi.fn(),
  openScreen: vi.fn(),
  placeholderTrack: vi.fn(),
  problemOf: vi.fn(() => 'failed'),
  listDevices: vi.fn(() => Promise.resolve({ audioinput: [], videoinput: [], audiooutput: [] })),
}));

let dbName: string;
const opened: IdbChatStore[] = [];

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  dbName = `parley-calls-test-${crypto.randomUUID()}`;
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.restoreAllMocks();
});

async function memberOn(hub: MemoryHub, name: string): Promise<ChatSession> {
  const session = new ChatSession({
    openStore: async (events) => {
      const store = await openIdbStore({
        name: `${dbName}-${name}`,
        onVersionChange: () => events.onVersionChange(),
      });
      opened.push(store);
      return store;
    },
    createTransport: () => Promise.resolve(hub.createTransport(`peer-${name}`)),
  });
  await session.init();
  expect(await session.createIdentity(name)).toEqual({ ok: true });
  return session;
}

async function linkedPair() {
  const hub = new MemoryHub();
  const alice = await memberOn(hub, 'Alice');
  const bob = await memberOn(hub, 'Bob');
  const { room, bobFp } = await meetInRoom(alice, bob);
  return { alice, bob, room, bobFp };
}

const callLogsOf = (session: ChatSession, room: string) =>
  session.messagesOf(room).flatMap((e) => (e.kind === 'call-log' ? [e.body.outcome] : []));

describe('calls through the chat session', () => {
  it('loads the call layer on an incoming call, which rings', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    expect(bob.calls).toBeNull();
    const calls = await alice.loadCalls();
    expect(await calls?.callMember(room, bobFp, 'video')).toBe(true);
    await vi.waitFor(() => expect(bob.calls?.state.phase).toBe('incoming'), { timeout: 5_000 });
    expect(bob.calls?.peerName).toBe('Alice');
    await vi.waitFor(() => expect(calls?.state).toMatchObject({ isRinging: true }));
  });

  it('a declined call leaves one "declined" line in both histories', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    const calls = await alice.loadCalls();
    await calls?.callMember(room, bobFp, 'audio');
    await vi.waitFor(() => expect(bob.calls?.state.phase).toBe('incoming'), { timeout: 5_000 });
    bob.calls?.decline();
    await vi.waitFor(() => expect(callLogsOf(alice, room)).toEqual(['declined']), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(callLogsOf(bob, room)).toEqual(['declined']), {
      timeout: 5_000,
    });
    expect(calls?.notice).toBe('declined');
  });

  it('hangs up on page leave before saying goodbye, so the other side ends at once', async () => {
    const { alice, bob, room, bobFp } = await linkedPair();
    const calls = await alice.loadCalls();
    await calls?.callMember(room, bobFp, 'video');
    await vi.waitFor(() => expect(bob.calls?.state.phase).toBe('incoming'), { timeout: 5_000 });
    alice.sayGoodbye();
    await vi.waitFor(() => expect(bob.calls?.lastEnded?.outcome).toBe('cancelled'), {
      timeout: 5_000,
    });
  });
});
