import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeHlc, encodeHlc } from '../domain/hlc';
import { MAX_CLOCK_DRIFT_MS } from '../config';
import { makeSignedEvent } from '../testing/factories';
import { textOf } from '../domain/events';
import { createIdentityKeys } from '../crypto/identity';
import { MemoryHub } from '../net/memory-transport';
import { RoomMesh } from '../net/room-mesh';
import type { ChatEvent, Unverified } from '../protocol/events';
import type { VersionVector } from '../domain/version-vector';
import { splitEventsIntoFrames, type PeerFrame } from '../protocol/peer-frames';
import { MIN_WORKER_JOBS, verifyHere } from './verifier';
import {
  SyncEngine,
  takeBurst,
  type SyncEngineDeps,
  type SyncEngineOptions,
  type SyncPeer,
} from './sync-engine';
import {
  dispatch,
  makeKeyPool,
  makeRoom,
  nextTask,
  openMemberStore,
  overTheWire,
  peerOf,
  poolKeys,
  stopStarted,
  TestNet,
  texts,
  throwOnStoreError,
  track,
  write,
  type Member,
  type Room,
} from '../testing/sync-net';
import type { RoomKey } from '../protocol/ids';

beforeAll(makeKeyPool);

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  await stopStarted();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function makeMeshMember(
  hub: MemoryHub,
  name: string,
  room: Room,
  options: SyncEngineOptions = {},
  receipts: Pick<
    SyncEngineDeps,
    'onRemoteVector' | 'onOwnEventsSent' | 'isRefusedAuthor' | 'onHistoryAhead'
  > = {},
): Promise<Member> {
  const keys = await createIdentityKeys();
  const store = await openMemberStore(name, keys, room);
  const member: Member = { name, keys, store, engine: undefined as unknown as SyncEngine };
  const mesh = new RoomMesh({
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
      onPeerGone: (peer) => member.engine.onPeerGone(peer),
      onFrame: (peer, frame) => dispatch(member.engine, peer, frame),
      onRoomRefused: () => undefined,
    },
  });
  member.mesh = mesh;
  member.engine = new SyncEngine(
    {
      store,
      self: { fingerprint: keys.fingerprint, spki: keys.spki },
      send: (peer, frame) => mesh.sendTo(peer, frame),
      peersIn: (r) => mesh.peersIn(r),
      whenDrained: (peer) => mesh.whenDrained(peer),
      onStored: () => undefined,
      onStoreError: throwOnStoreError,
      now: Date.now,
      ...receipts,
    },
    options,
  );
  track(member);
  mesh.start();
  mesh.join(room.key);
  return member;
}

/** Writes a message the way the app does: store first, push to linked members, announce. */
async function say(m: Member, room: RoomKey, text: string): Promise<ChatEvent> {
  const event = await write(m, room, text);
  const keys = { [m.keys.fingerprint]: m.keys.spki };
  for (const frame of splitEventsIntoFrames([event], keys)) m.mesh?.broadcast(room, frame);
  m.engine.announce(room);
  return event;
}

describe('SyncEngine over the mesh', () => {
  it('gives a late joiner the whole history', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMeshMember(hub, 'alice', room);
    for (let i = 1; i <= 300; i += 1) await say(alice, room.key, `m${i}`);

    const bob = await makeMeshMember(hub, 'bob', room);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(300));
    expect(await texts(bob, room.key)).toEqual(await texts(alice, room.key));
    const conversation = await bob.store.getConversation(room.key);
    expect(conversation?.vector[alice.keys.fingerprint]).toBe(300);
  });

  it('delivers what was written while the link was down once it is back', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMeshMember(hub, 'alice', room);
    const bob = await makeMeshMember(hub, 'bob', room);
    await vi.waitFor(() => expect(alice.mesh?.peersIn(room.key)).toHaveLength(1));
    await say(alice, room.key, 'before');
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toEqual(['before']));

    hub.cut('peer-alice', 'peer-bob');
    await vi.waitFor(() => expect(alice.mesh?.peersIn(room.key)).toHaveLength(0));
    await say(alice, room.key, 'during 1');
    await say(bob, room.key, 'during 2');
    hub.heal('peer-alice', 'peer-bob');

    // Bob dialled, so Bob redials after his backoff (≤ 1 s for the first attempt).
    await vi.waitFor(async () => {
      expect(await texts(alice, room.key)).toHaveLength(3);
      expect(await texts(bob, room.key)).toHaveLength(3);
    });
    expect(await texts(alice, room.key)).toEqual(await texts(bob, room.key));
  });

  it('reports the vectors a peer tells and the own events an answer hands on', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const sentUpTo: number[] = [];
    const aliceHeard: VersionVector[] = [];
    const alice = await makeMeshMember(
      hub,
      'alice',
      room,
      {},
      {
        onRemoteVector: (peer, vector) => {
          expect(peer.room).toBe(room.key);
          aliceHeard.push(vector);
        },
        onOwnEventsSent: (r, seq) => {
          expect(r).toBe(room.key);
          sentUpTo.push(seq);
        },
      },
    );
    for (let i = 1; i <= 3; i += 1) await write(alice, room.key, `m${i}`);

    const bob = await makeMeshMember(hub, 'bob', room);
    const aliceFp = alice.keys.fingerprint;
    // Bob's first `sync` shows he has nothing; the answer hands on all three.
    await vi.waitFor(() => expect(sentUpTo).toEqual([3]));
    expect(aliceHeard[0]).toEqual({});
    // Having stored them, Bob tells the sender too (`have`): Alice learns they were delivered.
    await vi.waitFor(() => expect(aliceHeard.at(-1)).toEqual({ [aliceFp]: 3 }));
    expect(await texts(bob, room.key)).toEqual(['m1', 'm2', 'm3']);

    await say(alice, room.key, 'm4');
    await vi.waitFor(() => expect(aliceHeard.at(-1)).toEqual({ [aliceFp]: 4 }));
  });

  it('relays an absent author’s signed history to a newcomer', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMeshMember(hub, 'alice', room);
    const bob = await makeMeshMember(hub, 'bob', room);
    await vi.waitFor(() => expect(alice.mesh?.peersIn(room.key)).toHaveLength(1));
    for (let i = 1; i <= 5; i += 1) await say(alice, room.key, `from alice ${i}`);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(5));
    alice.mesh?.stop();

    const carol = await makeMeshMember(hub, 'carol', room);
    await vi.waitFor(async () => expect(await texts(carol, room.key)).toHaveLength(5));
    const events = await carol.store.listEvents(room.key);
    expect(new Set(events.map((e) => e.author))).toEqual(new Set([alice.keys.fingerprint]));
    const conversation = await carol.store.getConversation(room.key);
    expect(conversation?.members[alice.keys.fingerprint]?.spki).toBe(alice.keys.spki);
  });

  it('stores nothing by a blocked author, even relayed by someone else', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const alice = await makeMeshMember(hub, 'alice', room);
    const bob = await makeMeshMember(hub, 'bob', room);
    await vi.waitFor(() => expect(alice.mesh?.peersIn(room.key)).toHaveLength(1));
    for (let i = 1; i <= 3; i += 1) await say(alice, room.key, `from alice ${i}`);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(3));
    alice.mesh?.stop();

    const carol = await makeMeshMember(
      hub,
      'carol',
      room,
      {},
      {
        isRefusedAuthor: (fingerprint) => fingerprint === alice.keys.fingerprint,
      },
    );
    await vi.waitFor(() => expect(carol.mesh?.peersIn(room.key)).toHaveLength(1));
    await say(bob, room.key, 'from bob');
    await vi.waitFor(async () => expect(await texts(carol, room.key)).toEqual(['from bob']));
    const conversation = await carol.store.getConversation(room.key);
    expect(conversation?.vector[alice.keys.fingerprint]).toBeUndefined();
  });

  it('passes new messages on to a member who cannot link to their author', async () => {
    const hub = new MemoryHub();
    hub.cut('peer-a', 'peer-c');
    const room = await makeRoom();
    const a = await makeMeshMember(hub, 'a', room);
    const b = await makeMeshMember(hub, 'b', room);
    const c = await makeMeshMember(hub, 'c', room);
    await vi.waitFor(() => {
      expect(b.mesh?.peersIn(room.key)).toHaveLength(2);
      expect(a.mesh?.peersIn(room.key)).toHaveLength(1);
      expect(c.mesh?.peersIn(room.key)).toHaveLength(1);
    });

    // Said after every link is up: no link opens afterwards to carry them by its first sync.
    await say(a, room.key, 'one');
    await say(a, room.key, 'two');
    await vi.waitFor(async () => expect(await texts(c, room.key)).toEqual(['one', 'two']));
    await say(c, room.key, 'three');
    await vi.waitFor(async () => expect(await texts(a, room.key)).toEqual(['one', 'two', 'three']));
    expect(a.mesh?.peersIn(room.key).map((p) => p.peerId)).toEqual(['peer-b']);
  });

  it('drops events whose signature does not match, and events for another room', async () => {
    const hub = new MemoryHub();
    const room = await makeRoom();
    const other = await makeRoom();
    const bob = await makeMeshMember(hub, 'bob', room);
    const alice = { name: 'alice', keys: await createIdentityKeys() };
    const good = await makeSignedEvent(alice.keys, { conv: room.key, text: 'real' });
    const forged = { ...good, seq: 2, body: { text: 'forged' } };
    const elsewhere = { ...good, conv: other.key };
    const stored = await bob.engine.onEvents(peerOf(alice, room.key), {
      type: 'events',
      events: [good, forged, elsewhere] as unknown as Unverified<ChatEvent>[],
      keys: {},
    });
    expect(stored.map((e) => textOf(e))).toEqual(['real']);
    expect(await texts(bob, room.key)).toEqual(['real']);
  });
});

describe('SyncEngine answers', () => {
  it('continues an answer cut off by the budget until the asker has everything', async () => {
    const room = await makeRoom();
    const net = new TestNet(room);
    const alice = await net.add('alice', poolKeys(0), { maxAnswerEvents: 7 });
    const bob = await net.add('bob', poolKeys(1));
    for (let i = 1; i <= 30; i += 1) await write(alice, room.key, `m${i}`);

    net.link(alice, bob);
    await vi.waitFor(async () => expect(await texts(bob, room.key)).toHaveLength(30));
    expect(await texts(bob, room.key)).toEqual(await texts(alice, room.key));
    const toBob = net.sent(alice, bob);
    // 30 events in answers of at most 7: four cut off, each ending with `have`.
    expect(toBob.filter((f) => f.type === 'have')).toHaveLength(4);
    expect(toBob.reduce((sum, f) => sum + f.events, 0)).toBe(30);
    await net.stop();
    expect(net.failures).toEqual([]);
  });

  it('answers a flood of sync requests with at most two answers', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    for (let i = 1; i <= 300; i += 1) await write(alice.member, room.key, `m${i}`);
    const bob = peerOf({ name: 'bob', keys: poolKeys(1) }, room.key);

    // The mesh hands frames over one at a time; they arrive faster than the answer drains.
    for (let i = 0; i < 50; i += 1) await alice.member.engine.onSync(bob, {});
    await alice.member.engine.whenIdle();

    const received = alice.sent.reduce(
      (n, f) => n + (f.type === 'events' ? f.events.length : 0),
      0,
    );
    expect(received).toBeGreaterThanOrEqual(300);
    expect(received).toBeLessThanOrEqual(600);
  });

  it('stops answering when the link is gone', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice', { linked: false });
    for (let i = 1; i <= 300; i += 1) await write(alice.member, room.key, `m${i}`);
    const bob = peerOf({ name: 'bob', keys: poolKeys(1) }, room.key);

    await alice.member.engine.onSync(bob, {});
    await alice.member.engine.whenIdle();
    expect(alice.sent).toHaveLength(1); // tried once, heard "gone", stopped
  });

  it('asks a peer whose have shows something we lack, and stays quiet otherwise', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    await write(alice.member, room.key, 'mine');
    const bob = peerOf({ name: 'bob', keys: poolKeys(1) }, room.key);
    const ours = { [alice.member.keys.fingerprint]: 1 };

    await alice.member.engine.onHave(bob, ours);
    await alice.member.engine.onHave(bob, {});
    expect(alice.sent).toEqual([]);

    const theirs = { ...ours, [bob.fingerprint]: 2 };
    await alice.member.engine.onHave(bob, theirs);
    expect(alice.sent).toEqual([{ to: bob.peerId, type: 'sync', vector: ours }]);
    // Nothing changed on either side since we asked: asking again could only loop.
    await alice.member.engine.onHave(bob, theirs);
    expect(alice.sent).toHaveLength(1);
    await alice.member.engine.onHave(bob, { ...theirs, [bob.fingerprint]: 3 });
    expect(alice.sent).toHaveLength(2);
  });

  it('drops an event stamped 23.5 h ahead, and the conversation’s clock does not follow it', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const now = Date.now();
    const early = await makeSignedEvent(bobKeys, { conv: room.key, seq: 1, hlc: now });
    const late = await makeSignedEvent(bobKeys, {
      conv: room.key,
      seq: 2,
      hlc: encodeHlc({ ms: now + 23.5 * 3600_000, c: 0 }),
    });
    const frame = overTheWire({ type: 'events', events: [early, late], keys: {} });
    if (frame.type !== 'events') throw new Error('expected events');

    const stored = await alice.member.engine.onEvents(bob, frame);
    expect(stored.map((e) => e.seq)).toEqual([1]);
    expect((await alice.member.store.listEvents(room.key)).map((e) => e.seq)).toEqual([1]);
    expect(console.warn).toHaveBeenCalledWith(
      '[parley:sync]',
      'dropped an event dated too far ahead, from',
      bob.peerId,
      late.hlc,
    );
    const own = await write(alice.member, room.key, 'mine');
    expect(decodeHlc(own.hlc)?.ms).toBeLessThanOrEqual(Date.now() + MAX_CLOCK_DRIFT_MS);
    expect(decodeHlc(own.hlc)?.ms).toBeLessThan(now + 3600_000);
  });

  it('tells when a peer’s vector is a history ahead of ours (the verifier starts early)', async () => {
    const room = await makeRoom();
    let told = 0;
    const alice = await net1(room, 'alice', { onHistoryAhead: () => told++ });
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const have = (vector: VersionVector) => {
      const frame = overTheWire({ type: 'have', vector });
      if (frame.type !== 'have') throw new Error('expected have');
      return alice.member.engine.handleFrame(bob, frame);
    };
    // The comparison reads our vector; a read issued after it answers after it.
    const compared = () => alice.member.store.getConversation(room.key);
    await have({ [bobKeys.fingerprint]: MIN_WORKER_JOBS - 1 });
    await compared();
    expect(told).toBe(0);
    // Counted over every author.
    await have({ [bobKeys.fingerprint]: MIN_WORKER_JOBS - 1, [poolKeys(2).fingerprint]: 1 });
    await compared();
    expect(told).toBe(1);
    // What we hold already does not count: one of Alice's own is held, so this is one short.
    await write(alice.member, room.key, 'mine');
    await have({ [alice.member.keys.fingerprint]: MIN_WORKER_JOBS });
    await compared();
    expect(told).toBe(1);
  });

  it('stores the events frames that arrive while a burst is stored together, in order', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const frames = [];
    for (let seq = 1; seq <= 6; seq++) {
      const event = await makeSignedEvent(bobKeys, { conv: room.key, seq, text: `m${seq}` });
      const frame = overTheWire({ type: 'events', events: [event], keys: {} });
      if (frame.type !== 'events') throw new Error('expected events');
      frames.push(frame);
    }
    const addEvents = vi.spyOn(alice.member.store, 'addEvents');
    // The first frame starts a burst; the five that come while it is stored form the next one.
    const handled = frames.map((frame) => alice.member.engine.handleFrame(bob, frame));
    expect(alice.member.engine.backlog(bob)).toBe(5);
    await Promise.all(handled);
    expect(addEvents.mock.calls.map(([events]) => events.map((e) => e.seq))).toEqual([
      [1],
      [2, 3, 4, 5, 6],
    ]);
    // The first burst is stored knowing the next is here (its change notice says `more`).
    expect(addEvents.mock.calls.map(([, , more]) => more)).toEqual([true, false]);
    expect(alice.member.engine.backlog(bob)).toBe(0);
    expect(await texts(alice.member, room.key)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('says when a link’s inbox is drained: once per run of bursts, also when the last stored nothing', async () => {
    const room = await makeRoom();
    const drained: RoomKey[] = [];
    const alice = await net1(room, 'alice', { onInboxDrained: (r) => drained.push(r) });
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const frameOf = async (seq: number) => {
      const event = await makeSignedEvent(bobKeys, { conv: room.key, seq, text: `m${seq}` });
      const frame = overTheWire({ type: 'events', events: [event], keys: {} });
      if (frame.type !== 'events') throw new Error('expected events');
      return frame;
    };
    const [one, two, three] = [await frameOf(1), await frameOf(2), await frameOf(3)];
    // Two bursts (the second came while the first was stored): drained once, after both.
    const handled = [one, two, three].map((frame) => alice.member.engine.handleFrame(bob, frame));
    expect(drained).toEqual([]);
    await Promise.all(handled);
    expect(drained).toEqual([room.key]);
    // A burst of events held already stores nothing, and still ends the run.
    const addEvents = vi.spyOn(alice.member.store, 'addEvents');
    await alice.member.engine.handleFrame(bob, one);
    const result = addEvents.mock.results[0];
    expect(result?.type).toBe('return');
    expect(await (result?.value as ReturnType<typeof alice.member.store.addEvents>)).toEqual({
      ok: true,
      value: [],
    });
    expect(drained).toEqual([room.key, room.key]);
  });

  it('verifies the next burst while the one before is stored', async () => {
    const room = await makeRoom();
    const steps: string[] = [];
    const alice = await net1(room, 'alice', {
      verifyEvents: async (jobs) => {
        steps.push(`verify ${jobs.map((j) => j.event.seq).join(',')}`);
        return verifyHere(jobs);
      },
    });
    const addEvents = alice.member.store.addEvents.bind(alice.member.store);
    vi.spyOn(alice.member.store, 'addEvents').mockImplementation(async (events, nowMs) => {
      const seqs = events.map((e) => e.seq).join(',');
      steps.push(`store ${seqs}`);
      const result = await addEvents(events, nowMs);
      steps.push(`stored ${seqs}`);
      return result;
    });
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const frames = [];
    for (let seq = 1; seq <= 3; seq++) {
      const event = await makeSignedEvent(bobKeys, { conv: room.key, seq, text: `m${seq}` });
      const frame = overTheWire({ type: 'events', events: [event], keys: {} });
      if (frame.type !== 'events') throw new Error('expected events');
      frames.push(frame);
    }
    // Frame 1 starts a burst alone; 2 and 3 arrive while it is verified and form the next.
    await Promise.all(frames.map((frame) => alice.member.engine.handleFrame(bob, frame)));
    expect(steps).toEqual([
      'verify 1',
      'verify 2,3',
      'store 1',
      'stored 1',
      'store 2,3',
      'stored 2,3',
    ]);
    expect(await texts(alice.member, room.key)).toEqual(['m1', 'm2', 'm3']);
  });

  it('answers a sync only after the events that came before it are stored', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const event = await makeSignedEvent(bobKeys, { conv: room.key, seq: 1, text: 'first' });
    const frame = overTheWire({ type: 'events', events: [event], keys: {} });
    if (frame.type !== 'events') throw new Error('expected events');
    const stored = alice.member.engine.handleFrame(bob, frame);
    const synced = alice.member.engine.handleFrame(bob, { type: 'sync', vector: {} });
    await synced;
    // The answer to Bob's sync counts his event as held: it was stored before the sync was read.
    expect((await alice.member.store.getConversation(room.key))?.vector[bob.fingerprint]).toBe(1);
    await stored;
  });

  it('finds an author who signed two versions of one message, hides both and names the author', async () => {
    const room = await makeRoom();
    const net = new TestNet(room);
    const alice = await net.add('alice', poolKeys(0));
    const bob = await net.add('bob', poolKeys(1));
    const malloryKeys = poolKeys(2);
    const mallory = malloryKeys.fingerprint;
    // Mallory signs two different events as her seq 1, one for each; what follows is the same.
    const forAlice = await makeSignedEvent(malloryKeys, {
      conv: room.key,
      seq: 1,
      text: 'pay Carol',
    });
    const forBob = await makeSignedEvent(malloryKeys, { conv: room.key, seq: 1, text: 'pay Dave' });
    const later = [
      await makeSignedEvent(malloryKeys, { conv: room.key, seq: 2, text: 'thanks' }),
      await makeSignedEvent(malloryKeys, { conv: room.key, seq: 3, text: 'bye' }),
    ];
    const carol = await net.add('carol', poolKeys(3));
    for (const [m, first] of [
      [alice, forAlice],
      [bob, forBob],
      [carol, forAlice],
    ] as const) {
      const member = {
        fingerprint: mallory,
        spki: malloryKeys.spki,
        name: 'Mallory',
        color: '#000000',
        lastSeenAt: 0,
      };
      expect((await m.store.upsertMember(room.key, member)).ok).toBe(true);
      expect((await m.store.addEvents([first, ...later], Date.now())).ok).toBe(true);
    }
    // Carol, who holds Alice's version too, links only to Bob.
    net.link(alice, bob);
    net.link(bob, carol);

    await vi.waitFor(async () => {
      for (const m of [alice, bob, carol]) {
        expect((await m.store.getConversation(room.key))?.disputes).toEqual({ [mallory]: [1] });
      }
    });
    await net.stop();
    for (const m of [alice, bob, carol]) {
      expect(await texts(m, room.key)).toEqual(['thanks', 'bye']);
      expect((await m.store.getConversation(room.key))?.vector[mallory]).toBe(3);
    }
    expect(net.failures).toEqual([]);
  });

  it('shows a member who links later both versions of a seq already found disputed', async () => {
    const room = await makeRoom();
    const net = new TestNet(room);
    const alice = await net.add('alice', poolKeys(0));
    const bob = await net.add('bob', poolKeys(1));
    const malloryKeys = poolKeys(2);
    const mallory = malloryKeys.fingerprint;
    const forAlice = await makeSignedEvent(malloryKeys, {
      conv: room.key,
      seq: 1,
      text: 'pay Carol',
    });
    const forBob = await makeSignedEvent(malloryKeys, { conv: room.key, seq: 1, text: 'pay Dave' });
    const later = await makeSignedEvent(malloryKeys, { conv: room.key, seq: 2, text: 'thanks' });
    const carol = await net.add('carol', poolKeys(3));
    for (const [m, first] of [
      [alice, forAlice],
      [bob, forBob],
      [carol, forAlice],
    ] as const) {
      const member = {
        fingerprint: mallory,
        spki: malloryKeys.spki,
        name: 'Mallory',
        color: '#000000',
        lastSeenAt: 0,
      };
      expect((await m.store.upsertMember(room.key, member)).ok).toBe(true);
      expect((await m.store.addEvents([first, later], Date.now())).ok).toBe(true);
    }
    // Bob finds the dispute with Alice first: his own version is a tombstone by then.
    net.link(alice, bob);
    await vi.waitFor(async () => {
      expect((await bob.store.getConversation(room.key))?.disputes).toEqual({ [mallory]: [1] });
    });
    // Carol, who holds Alice's version, links only to Bob, and still finds out for herself.
    net.link(bob, carol);
    await vi.waitFor(async () => {
      expect((await carol.store.getConversation(room.key))?.disputes).toEqual({ [mallory]: [1] });
    });
    await net.stop();
    expect(await texts(carol, room.key)).toEqual(['thanks']);
    expect(net.failures).toEqual([]);
  });

  it('asks a peer for a whole chain at most once per interval, however its digests change', async () => {
    const room = await makeRoom();
    const alice = await net1(room, 'alice');
    const bob = peerOf({ name: 'bob', keys: poolKeys(1) }, room.key);
    const malloryKeys = poolKeys(2);
    const mallory = malloryKeys.fingerprint;
    const events = [
      await makeSignedEvent(malloryKeys, { conv: room.key, seq: 1 }),
      await makeSignedEvent(malloryKeys, { conv: room.key, seq: 2 }),
    ];
    expect((await alice.member.store.addEvents(events, Date.now())).ok).toBe(true);
    alice.member.engine.announce(room.key);
    await vi.waitFor(() =>
      expect(alice.sent.some((f) => f.type === 'have' && f.chains?.[mallory])).toBe(true),
    );
    const syncsToBob = () => alice.sent.filter((f) => f.type === 'sync' && f.to === bob.peerId);
    const before = syncsToBob().length;
    for (const letter of ['a', 'b', 'c', 'd', 'e']) {
      const frame = overTheWire({
        type: 'have',
        vector: { [mallory]: 2 },
        chains: { [mallory]: `2:${letter.repeat(22)}` },
      });
      if (frame.type !== 'have') throw new Error('expected have');
      await alice.member.engine.handleFrame(bob, frame);
    }
    expect(syncsToBob().length - before).toBe(1);
    expect(syncsToBob().at(-1)).toMatchObject({ type: 'sync', vector: {} });
  });

  it('stores and relays a flooding author only up to their budget, while an honest one converges', async () => {
    const room = await makeRoom();
    const net = new TestNet(room);
    const flood = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        makeSignedEvent(poolKeys(2), { conv: room.key, seq: i + 1, text: 'x'.repeat(2000) }),
      ),
    );
    const perEvent = new TextEncoder().encode(JSON.stringify(flood[0])).length;
    const small = {
      storageBytes: 10 * perEvent + 64,
      rateBytes: 10 * perEvent + 64,
      rateWindowMs: 60_000,
      windowsKept: 4,
    };
    const unlimited = { ...small, storageBytes: 1e9, rateBytes: 1e9 };
    const mallory = await net.add('mallory', poolKeys(2), {}, unlimited);
    const alice = await net.add('alice', poolKeys(0), {}, small);
    const bob = await net.add('bob', poolKeys(1), {}, small);
    const carol = await net.add('carol', poolKeys(3), {}, small);
    expect((await mallory.store.addEvents(flood, Date.now())).ok).toBe(true);
    for (let i = 1; i <= 5; i++) await write(carol, room.key, `carol ${i}`);
    // Mallory reaches only Alice; Bob hears her through Alice; Carol links to Bob only.
    net.link(mallory, alice);
    net.link(alice, bob);
    net.link(carol, bob);

    const malloryIn = async (m: Member) =>
      (await m.store.listEvents(room.key)).filter((e) => e.author === mallory.keys.fingerprint);
    const carolIn = async (m: Member) =>
      (await m.store.listEvents(room.key)).filter((e) => e.author === carol.keys.fingerprint);
    await vi.waitFor(async () => {
      expect(await carolIn(alice)).toHaveLength(5);
      expect(await malloryIn(bob)).toHaveLength(10);
      const vectors = await Promise.all(
        [mallory, alice, bob].map(async (m) => (await m.store.getConversation(room.key))?.vector),
      );
      // Alice holds the ids of what she refused; nobody sends them on, so Bob lacks them.
      expect(vectors[1]?.[mallory.keys.fingerprint]).toBe(40);
      expect(vectors[2]?.[mallory.keys.fingerprint]).toBe(10);
    });
    await net.stop();
    expect(await malloryIn(alice)).toHaveLength(10);
    expect(await malloryIn(bob)).toHaveLength(10);
    expect(await carolIn(alice)).toHaveLength(5);
    // Alice passed on no more than the budget of Mallory's events (and Carol's, to Mallory).
    const relayed = net.sent(alice, bob).reduce((sum, f) => sum + f.events, 0);
    expect(relayed).toBeLessThanOrEqual(10);
    expect(net.failures).toEqual([]);
  });

  it('does not ask again and again for an event not due yet, nor for what follows it', async () => {
    const room = await makeRoom();
    const net = new TestNet(room);
    const mallory = await net.add('mallory', poolKeys(2), { gapResyncIntervalMs: 0 });
    const alice = await net.add('alice', poolKeys(0), { gapResyncIntervalMs: 0 });
    // Mallory's client stamps her second message 23.5 h ahead, then goes on as usual.
    const now = Date.now();
    const history = [
      await makeSignedEvent(poolKeys(2), { conv: room.key, seq: 1, hlc: now }),
      await makeSignedEvent(poolKeys(2), {
        conv: room.key,
        seq: 2,
        hlc: encodeHlc({ ms: now + 23.5 * 3600_000, c: 0 }),
      }),
      await makeSignedEvent(poolKeys(2), { conv: room.key, seq: 3, hlc: now + 1 }),
    ];
    expect((await mallory.store.addEvents(history, now)).ok).toBe(true);
    net.link(mallory, alice);
    await vi.waitFor(async () => expect(await texts(alice, room.key)).toHaveLength(2));
    for (let i = 4; i <= 13; i++) {
      await makeSignedEvent(poolKeys(2), { conv: room.key, seq: i, hlc: Date.now() }).then(
        async (e) => {
          expect((await mallory.store.addEvents([e], Date.now())).ok).toBe(true);
          for (const frame of splitEventsIntoFrames([e], {})) {
            await alice.engine.onEvents(peerOf(mallory, room.key), frame as never);
          }
        },
      );
    }
    await net.stop();
    expect(await texts(alice, room.key)).toHaveLength(12);
    // Without the deferral each new message made Alice ask from seq 2 again: 2 + 3 + … + 12.
    const resent = net.sent(mallory, alice).reduce((sum, f) => sum + f.events, 0);
    expect(resent).toBeLessThanOrEqual(3 + 3);
    expect(net.failures).toEqual([]);
  });

  it('asks again for a gap at the end of the interval, and not once the link is gone', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const room = await makeRoom();
    const alice = await net1(room, 'alice', { options: { gapResyncIntervalMs: 1_000 } });
    const bobKeys = poolKeys(1);
    const bob = peerOf({ name: 'bob', keys: bobKeys }, room.key);
    const gapped = async (seq: number) => {
      const event = await makeSignedEvent(bobKeys, { conv: room.key, seq, hlc: Date.now() });
      const frame = overTheWire({ type: 'events', events: [event], keys: {} });
      if (frame.type === 'events') await alice.member.engine.onEvents(bob, frame);
    };
    const syncs = () => alice.sent.filter((f) => f.type === 'sync').length;

    await gapped(3);
    expect(syncs()).toBe(1); // at once
    await gapped(5);
    await gapped(7);
    expect(syncs()).toBe(1); // within the interval: one request waits for its end
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(syncs()).toBe(2));

    await vi.advanceTimersByTimeAsync(200);
    await gapped(9);
    expect(syncs()).toBe(2);
    alice.member.engine.onPeerGone(bob);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(syncs()).toBe(2);
  });

  it('announces newly stored events to every link of the room, their source too, coalesced', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const room = await makeRoom();
    const carol = peerOf({ name: 'carol', keys: poolKeys(2) }, room.key);
    const alice = await net1(room, 'alice', { also: [carol], options: { haveThrottleMs: 250 } });
    const bobKeys = poolKeys(1);
    const bob = alice.peers[0];
    if (!bob) throw new Error('no bob');
    for (let seq = 1; seq <= 3; seq += 1) {
      const event = await makeSignedEvent(bobKeys, { conv: room.key, seq, hlc: Date.now() });
      const frame = overTheWire({ type: 'events', events: [event], keys: {} });
      if (frame.type === 'events') await alice.member.engine.onEvents(bob, frame);
    }
    expect(alice.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(250);
    await vi.waitFor(() => expect(alice.sent).toHaveLength(2));
    // Bob, the source, hears it too: that is his delivery receipt.
    // (Each also carries Alice's chain digests: domain/equivocation.ts.)
    expect(alice.sent).toEqual(
      [bob, carol].map((p): unknown =>
        expect.objectContaining({
          to: p.peerId,
          type: 'have',
          vector: { [bobKeys.fingerprint]: 3 },
        }),
      ),
    );

    // Our own messages go to everyone.
    alice.member.engine.announce(room.key);
    await vi.advanceTimersByTimeAsync(250);
    await vi.waitFor(() => expect(alice.sent).toHaveLength(4));
    expect(alice.sent.slice(2).map((f) => f.to)).toEqual([bob.peerId, carol.peerId]);

    // Once nobody is linked the pending announcement is dropped; a new link starts with `sync`.
    alice.member.engine.announce(room.key);
    alice.peers.length = 0;
    alice.member.engine.onPeerGone(bob);
    alice.member.engine.onPeerGone(carol);
    alice.peers.push(peerOf({ name: 'dave', keys: poolKeys(3) }, room.key));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(alice.sent).toHaveLength(4);
  });

  it('announces a filled gap to the link that filled it too, and an unfilled one to nobody', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const room = await makeRoom();
    const carol = peerOf({ name: 'carol', keys: poolKeys(2) }, room.key);
    const alice = await net1(room, 'alice', { also: [carol] });
    const bob = alice.peers[0];
    if (!bob) throw new Error('no bob');
    const receive = async (from: SyncPeer, seq: number) => {
      const event = await makeSignedEvent(poolKeys(1), { conv: room.key, seq, hlc: Date.now() });
      const keys = { [bob.fingerprint]: bob.spki };
      const frame = overTheWire({ type: 'events', events: [event], keys });
      if (frame.type === 'events') await alice.member.engine.onEvents(from, frame);
    };

    await receive(carol, 2); // relayed above a gap: our vector does not move
    await vi.advanceTimersByTimeAsync(250);
    expect(await texts(alice.member, room.key)).toHaveLength(1);
    expect(alice.sent.filter((f) => f.type === 'have')).toEqual([]);

    // Bob fills the gap; the vector moves over carol's event too, which bob may lack.
    await receive(bob, 1);
    await vi.advanceTimersByTimeAsync(250);
    await vi.waitFor(() => expect(alice.sent.filter((f) => f.type === 'have')).toHaveLength(2));
    expect(alice.sent.filter((f) => f.type === 'have')).toEqual(
      [bob, carol].map((p): unknown =>
        expect.objectContaining({
          to: p.peerId,
          type: 'have',
          vector: { [poolKeys(1).fingerprint]: 2 },
        }),
      ),
    );
  });

  it('holds a have for a link until the answer being sent on it ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const room = await makeRoom();
    let drain = (): void => undefined;
    const drained = new Promise<void>((resolve) => (drain = resolve));
    const carol = peerOf({ name: 'carol', keys: poolKeys(2) }, room.key);
    const dave = peerOf({ name: 'dave', keys: poolKeys(3) }, room.key);
    const alice = await net1(room, 'alice', { also: [carol, dave], whenDrained: () => drained });
    for (let i = 1; i <= 300; i += 1) await write(alice.member, room.key, `m${i}`);
    const bob = alice.peers[0];
    if (!bob) throw new Error('no bob');

    await alice.member.engine.onSync(bob, {}); // the answer now waits for the link to drain
    const event = await makeSignedEvent(poolKeys(2), { conv: room.key, hlc: Date.now() });
    const frame = overTheWire({ type: 'events', events: [event], keys: {} });
    if (frame.type === 'events') await alice.member.engine.onEvents(carol, frame);
    await vi.advanceTimersByTimeAsync(250);
    // Carol, the source, hears it too (her delivery receipt); bob only once his answer ends.
    await vi.waitFor(() =>
      expect(alice.sent.map((f) => f.to).sort()).toEqual([carol.peerId, dave.peerId].sort()),
    );

    drain();
    await alice.member.engine.whenIdle();
    const toBob = alice.sent.filter((f) => f.to === bob.peerId);
    // The answer may or may not include carol's event, depending on when it read the vector.
    expect(new Set(toBob.slice(0, -1).map((f) => f.type))).toEqual(new Set(['events']));
    expect(toBob.at(-1)).toEqual(
      expect.objectContaining({
        to: bob.peerId,
        type: 'have',
        vector: { [poolKeys(0).fingerprint]: 300, [carol.fingerprint]: 1 },
      }),
    );
  });
});

/**
 * One engine (alice, poolKeys(0)) whose link(s) only record what is sent: to `bob` (poolKeys(1)) and `also`, or to
 * nobody when not `linked`.
 */
async function net1(
  room: Room,
  name: string,
  opts: {
    linked?: boolean;
    also?: SyncPeer[];
    options?: SyncEngineOptions;
    whenDrained?: () => Promise<void>;
    verifyEvents?: SyncEngineDeps['verifyEvents'];
    onHistoryAhead?: SyncEngineDeps['onHistoryAhead'];
    onInboxDrained?: SyncEngineDeps['onInboxDrained'];
  } = {},
): Promise<{ member: Member; sent: ({ to: string } & PeerFrame)[]; peers: SyncPeer[] }> {
  const keys = poolKeys(0);
  const store = await openMemberStore(name, keys, room);
  const sent: ({ to: string } & PeerFrame)[] = [];
  const peers: SyncPeer[] =
    opts.linked === false
      ? []
      : [peerOf({ name: 'bob', keys: poolKeys(1) }, room.key), ...(opts.also ?? [])];
  const member: Member = { name, keys, store, engine: undefined as unknown as SyncEngine };
  member.engine = new SyncEngine(
    {
      store,
      self: { fingerprint: keys.fingerprint, spki: keys.spki },
      send: (peer, frame) => {
        sent.push({ to: peer.peerId, ...frame });
        return peers.some((p) => p.peerId === peer.peerId);
      },
      peersIn: () => peers,
      whenDrained: opts.whenDrained ?? nextTask,
      onStored: () => undefined,
      onStoreError: throwOnStoreError,
      now: Date.now,
      verifyEvents: opts.verifyEvents,
      ...(opts.onHistoryAhead ? { onHistoryAhead: opts.onHistoryAhead } : {}),
      ...(opts.onInboxDrained ? { onInboxDrained: opts.onInboxDrained } : {}),
    },
    opts.options,
  );
  track(member);
  return { member, sent, peers };
}

describe('takeBurst', () => {
  const frame = (n: number, keys: Record<string, string> = {}) =>
    ({
      type: 'events',
      events: Array.from({ length: n }, (_, i) => ({ seq: i })),
      keys,
    }) as unknown as Parameters<typeof takeBurst>[0][number];

  it('joins frames up to the limit, and always takes one', () => {
    const frames = [frame(3), frame(3), frame(3)];
    expect(takeBurst(frames, 7).events).toHaveLength(6);
    expect(frames).toHaveLength(1);
    expect(takeBurst([frame(9)], 7).events).toHaveLength(9);
  });

  it('stops at a frame that names another key for an author already keyed', () => {
    const frames = [frame(1, { a: 'k1' }), frame(1, { a: 'k1', b: 'k2' }), frame(1, { a: 'k3' })];
    const burst = takeBurst(frames, 100);
    expect(burst.events).toHaveLength(2);
    expect(burst.keys).toEqual({ a: 'k1', b: 'k2' });
    expect(frames).toHaveLength(1);
  });
});
