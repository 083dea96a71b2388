import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signEvent } from '../chat/events';
import { createIdentityKeys, type IdentityKeys } from '../crypto/identity';
import { newRoomSecret, roomKeyFromSecret } from '../crypto/room-keys';
import { MemoryHub } from '../net/memory-transport';
import { RoomMesh, type MeshPeer } from '../net/room-mesh';
import type { ChatEvent, Unverified } from '../protocol/events';
import { splitEventsIntoFrames } from '../protocol/peer-frames';
import { openIdbStore, type IdbChatStore } from '../storage/idb-store';
import { SyncEngine } from './sync-engine';

interface Member {
  name: string;
  keys: IdentityKeys;
  store: IdbChatStore;
  mesh: RoomMesh;
  engine: SyncEngine;
}

const started: Member[] = [];

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  for (const m of started.splice(0)) {
    m.mesh.stop();
    m.store.close();
  }
  vi.restoreAllMocks();
});

async function makeRoom(): Promise<{ secret: string; key: string }> {
  const secret = newRoomSecret();
  return { secret, key: await roomKeyFromSecret(secret) };
}

async function makeMember(
  hub: MemoryHub,
  name: string,
  room: { secret: string; key: string },
): Promise<Member> {
  const keys = await createIdentityKeys();
  const store = await openIdbStore({
    name: `sync-${name}-${crypto.randomUUID()}`,
    selfFingerprint: keys.fingerprint,
  });
  const now = Date.now();
  const created = await store.putConversation({
    id: room.key,
    kind: 'room',
    secret: room.secret,
    title: '',
    createdAt: now,
    lastActivityAt: now,
    lastPreview: '',
    unread: 0,
    members: {},
    vector: {},
  });
  expect(created.ok).toBe(true);
  const member = { name, keys, store } as Member;
  member.engine = new SyncEngine({
    store,
    self: { fingerprint: keys.fingerprint, spki: keys.spki },
    send: (peer, frame) => member.mesh.sendTo(peer, frame),
    onStored: () => undefined,
    onStoreError: (error) => {
      throw new Error(`store error ${error.kind}`);
    },
    now: Date.now,
  });
  member.mesh = new RoomMesh({
    transport: hub.createTransport(`peer-${name}`),
    identity: {
      privateKey: keys.privateKey,
      spki: keys.spki,
      fingerprint: keys.fingerprint,
      profile: { name, color: '#336699' },
    },
    secretFor: (r) => (r === room.key ? room.secret : undefined),
    handlers: {
      onStatus: () => undefined,
      onPeerReady: (peer) => void member.engine.onPeerReady(peer),
      onPeerGone: () => undefined,
      onFrame: (peer, frame) => {
        if (frame.type === 'events') void member.engine.onEvents(peer, frame);
        else void member.engine.onSync(peer, frame.vector);
      },
      onRoomRefused: () => undefined,
    },
  });
  started.push(member);
  member.mesh.start();
  member.mesh.join(room.key);
  return member;
}

/** Writes a message the way the app does: store first, then push to linked members. */
async function say(m: Member, room: string, text: string): Promise<ChatEvent> {
  const result = await m.store.appendOwnEvent({
    conv: room,
    author: m.keys.fingerprint,
    content: { kind: 'text', body: { text } },
    sign: (e) => signEvent(e, m.keys.privateKey),
    nowMs: Date.now(),
  });
  if (!result.ok) throw new Error(result.error.message);
  const keys = { [m.keys.fingerprint]: m.keys.spki };
  for (const frame of splitEventsIntoFrames([result.value], keys)) m.mesh.broadcast(room, frame);
  return result.value;
}

async function texts(m: Member, room: string): Promise<string[]> {
  return (await m.store.listEvents(room)).map((e) => e.body.text);
}

describe('SyncEngine over the mesh', () => {
  it('gives a late joiner the whole history', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMember(hub, 'alice', room);
    for (let i = 1; i <= 300; i += 1) await say(alice, room.key, `m${i}`);

    const bob = await makeMember(hub, 'bob', room);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(300), {
      timeout: 10_000,
    });
    expect(await texts(bob, room.key)).toEqual(await texts(alice, room.key));
    const conversation = await bob.store.getConversation(room.key);
    expect(conversation?.vector[alice.keys.fingerprint]).toBe(300);
  });

  it('delivers what was written while the link was down once it is back', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMember(hub, 'alice', room);
    const bob = await makeMember(hub, 'bob', room);
    await vi.waitFor(() => expect(alice.mesh.peersIn(room.key)).toHaveLength(1));
    await say(alice, room.key, 'before');
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toEqual(['before']));

    hub.cut('peer-alice', 'peer-bob');
    await vi.waitFor(() => expect(alice.mesh.peersIn(room.key)).toHaveLength(0));
    await say(alice, room.key, 'during 1');
    await say(bob, room.key, 'during 2');
    hub.heal('peer-alice', 'peer-bob');

    // Bob dialled, so Bob redials after his backoff (≤ 1 s for the first attempt).
    await vi.waitFor(
      async () => {
        expect(await texts(alice, room.key)).toHaveLength(3);
        expect(await texts(bob, room.key)).toHaveLength(3);
      },
      { timeout: 5_000 },
    );
    expect(await texts(alice, room.key)).toEqual(await texts(bob, room.key));
  });

  it('relays an absent author’s signed history to a newcomer', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMember(hub, 'alice', room);
    const bob = await makeMember(hub, 'bob', room);
    await vi.waitFor(() => expect(alice.mesh.peersIn(room.key)).toHaveLength(1));
    for (let i = 1; i <= 5; i += 1) await say(alice, room.key, `from alice ${i}`);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(5));
    alice.mesh.stop();

    const carol = await makeMember(hub, 'carol', room);
    await vi.waitFor(async () => expect(await texts(carol, room.key)).toHaveLength(5));
    const events = await carol.store.listEvents(room.key);
    expect(new Set(events.map((e) => e.author))).toEqual(new Set([alice.keys.fingerprint]));
    const conversation = await carol.store.getConversation(room.key);
    expect(conversation?.members[alice.keys.fingerprint]?.spki).toBe(alice.keys.spki);
  });

  it('drops events whose signature does not match, and events for another room', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const other = await makeRoom();
    const bob = await makeMember(hub, 'bob', room);
    const alice = await createIdentityKeys();
    const peer: MeshPeer = {
      peerId: 'peer-alice',
      room: room.key,
      fingerprint: alice.fingerprint,
      spki: alice.spki,
      profile: { name: 'Alice', color: '#000000' },
    };
    const good = await signEvent(
      {
        v: 1,
        conv: room.key,
        author: alice.fingerprint,
        seq: 1,
        hlc: '001700000000000-00000',
        kind: 'text',
        body: { text: 'real' },
      },
      alice.privateKey,
    );
    const forged = { ...good, seq: 2, body: { text: 'forged' } };
    const elsewhere = { ...good, conv: other.key };
    const stored = await bob.engine.onEvents(peer, {
      type: 'events',
      events: [good, forged, elsewhere] as unknown as Unverified<ChatEvent>[],
      keys: {},
    });
    expect(stored.map((e) => e.body.text)).toEqual(['real']);
    expect(await texts(bob, room.key)).toEqual(['real']);
  });
});
