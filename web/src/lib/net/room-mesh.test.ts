import { afterEach, describe, expect, it, vi } from 'vitest';
import { toBase64Url } from '../encoding';
import { newNonce } from '../crypto/handshake';
import { createIdentityKeys } from '../crypto/identity';
import { newRoomSecret, roomKeyFromSecret } from '../crypto/room-keys';
import { MemoryHub } from './memory-transport';
import type { AppFrame, MeshPeer } from './room-mesh';
import { RoomMesh } from './room-mesh';
import type { Fingerprint, PeerId, RoomKey, RoomSecret } from '../protocol/ids';

interface Node {
  mesh: RoomMesh;
  peerId: string;
  fingerprint: Fingerprint;
  ready: MeshPeer[];
  gone: MeshPeer[];
  frames: { from: MeshPeer; frame: AppFrame }[];
  refused: (string | null)[];
  status: string;
}

const meshes: RoomMesh[] = [];

afterEach(() => {
  for (const mesh of meshes.splice(0)) mesh.stop();
});

async function makeNode(
  hub: MemoryHub,
  peerId: string,
  name: string,
  secrets: Map<string, string>,
): Promise<Node> {
  const keys = await createIdentityKeys();
  const node: Node = {
    mesh: undefined as unknown as RoomMesh,
    peerId,
    fingerprint: keys.fingerprint,
    ready: [],
    gone: [],
    frames: [],
    refused: [],
    status: 'new',
  };
  node.mesh = new RoomMesh({
    transport: hub.createTransport(peerId),
    identity: {
      privateKey: keys.privateKey,
      spki: keys.spki,
      fingerprint: keys.fingerprint,
      profile: { name, color: '#123456' },
    },
    secretFor: (room) => secrets.get(room),
    handlers: {
      onStatus: (status) => {
        node.status = status;
      },
      onPeerReady: (peer) => node.ready.push(peer),
      onPeerGone: (peer) => node.gone.push(peer),
      onFrame: (from, frame) => {
        node.frames.push({ from, frame });
        return Promise.resolve();
      },
      onRoomRefused: (room) => node.refused.push(room),
    },
  });
  meshes.push(node.mesh);
  node.mesh.start();
  return node;
}

async function room(): Promise<{ secret: RoomSecret; key: RoomKey }> {
  const secret = newRoomSecret();
  return { secret, key: await roomKeyFromSecret(secret) };
}

/** Alice in a room, and Bob, who knows its secret but has not joined yet. */
async function aliceAndBob() {
  const hub = new MemoryHub();
  const r = await room();
  const secrets = new Map([[r.key, r.secret]]);
  const alice = await makeNode(hub, 'alice', 'Alice', secrets);
  alice.mesh.join(r.key);
  const bob = await makeNode(hub, 'bob', 'Bob', secrets);
  return { hub, r, alice, bob };
}

/** Alice in a room, then Bob, who joins and dials her; once both see the link ready. */
async function linkedPair() {
  const pair = await aliceAndBob();
  pair.bob.mesh.join(pair.r.key);
  await vi.waitFor(() => {
    expect(pair.alice.ready).toHaveLength(1);
    expect(pair.bob.ready).toHaveLength(1);
  });
  return pair;
}

describe('RoomMesh', () => {
  it('authenticates members who share the room secret, both ways', async () => {
    const { alice, bob } = await linkedPair();
    expect(alice.ready[0]).toMatchObject({ peerId: 'bob', fingerprint: bob.fingerprint });
    expect(alice.ready[0]?.profile.name).toBe('Bob');
    expect(bob.ready[0]).toMatchObject({ peerId: 'alice', fingerprint: alice.fingerprint });
  });

  it('disconnects a peer that knows the room key but not the secret, before it sees anything', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const alice = await makeNode(hub, 'alice', 'Alice', new Map([[r.key, r.secret]]));
    alice.mesh.join(r.key);
    // Mallory learned the opaque key (e.g. from the server) and guesses a secret.
    const mallory = await makeNode(hub, 'mallory', 'Mallory', new Map([[r.key, newRoomSecret()]]));
    mallory.mesh.join(r.key);

    await vi.waitFor(() => {
      expect(hub.transport('alice')?.links.size).toBe(0);
      expect(hub.transport('mallory')?.links.size).toBe(0);
    });
    expect(alice.ready).toHaveLength(0);
    expect(mallory.ready).toHaveLength(0);
    // A broadcast now reaches nobody.
    expect(alice.mesh.broadcast(r.key, { type: 'ping', t: 1 })).toBe(0);
  });

  it('reveals neither name nor key to a peer that cannot prove the room secret', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const alice = await makeNode(hub, 'alice', 'Alice', new Map([[r.key, r.secret]]));
    alice.mesh.join(r.key);
    // Mallory drives a raw transport: she knows the room key, not the secret.
    const mallory = hub.createTransport('mallory');
    const received: string[] = [];
    let closedReason = '';
    mallory.start({
      onStatus: () => undefined,
      onIncoming: () => undefined,
      onRoomSignal: (signal) => {
        if (signal.type !== 'peers') return;
        const link = mallory.dial('alice' as PeerId, r.key);
        link.setHandlers({
          onOpen: () =>
            link.send(JSON.stringify({ type: 'hello', protocol: 1, nonce: newNonce() })),
          onText: (text) => {
            received.push(text);
            const mac = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
            if (received.length === 1) link.send(JSON.stringify({ type: 'auth', mac }));
          },
          onClose: (reason) => {
            closedReason = reason;
          },
        });
      },
    });
    mallory.joinRoom(r.key);

    await vi.waitFor(() => expect(closedReason).toBe('closed by peer'));
    const types = received.map((text) => (JSON.parse(text) as { type: string }).type);
    expect(types).toEqual(['hello', 'auth']);
    expect(received.join('')).not.toContain('Alice');
    expect(received.join('')).not.toContain(alice.fingerprint);
    expect(alice.ready).toHaveLength(0);
  });

  it('refuses a connection relayed through a man in the middle, even with the secret', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    hub.relay('alice', 'bob');
    const alice = await makeNode(hub, 'alice', 'Alice', secrets);
    alice.mesh.join(r.key);
    const bob = await makeNode(hub, 'bob', 'Bob', secrets);
    bob.mesh.join(r.key);

    await vi.waitFor(() => {
      expect(hub.transport('alice')?.links.size).toBe(0);
      expect(hub.transport('bob')?.links.size).toBe(0);
    });
    expect(alice.ready).toHaveLength(0);
    expect(bob.ready).toHaveLength(0);
  });

  it('delivers app frames only between authenticated members of the same room', async () => {
    const hub = new MemoryHub();
    const r1 = await room();
    const r2 = await room();
    const secrets = new Map([
      [r1.key, r1.secret],
      [r2.key, r2.secret],
    ]);
    const a = await makeNode(hub, 'a', 'A', secrets);
    const b = await makeNode(hub, 'b', 'B', secrets);
    const c = await makeNode(hub, 'c', 'C', secrets);
    a.mesh.join(r1.key);
    b.mesh.join(r1.key);
    c.mesh.join(r2.key);
    await vi.waitFor(() => expect(b.ready).toHaveLength(1));

    const sent = a.mesh.broadcast(r1.key, { type: 'events', events: [], keys: {} });
    expect(sent).toBe(1);
    await vi.waitFor(() => expect(b.frames).toHaveLength(1));
    expect(b.frames[0]?.frame.type).toBe('events');
    expect(b.frames[0]?.from.fingerprint).toBe(a.fingerprint);
    expect(c.frames).toHaveLength(0);
  });

  it('ignores a frame type a newer build sends, and keeps the link', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const a = await makeNode(hub, 'a', 'A', secrets);
    const b = await makeNode(hub, 'b', 'B', secrets);
    a.mesh.join(r.key);
    b.mesh.join(r.key);
    await vi.waitFor(() => expect(b.ready).toHaveLength(1));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const link = [...(hub.transport('a')?.links ?? [])].find((l) => l.remoteId === 'b');
    expect(link?.send(JSON.stringify({ type: 'reaction-burst', emoji: '🎉', count: 3 }))).toBe(
      true,
    );
    expect(a.mesh.broadcast(r.key, { type: 'typing' })).toBe(1);
    await vi.waitFor(() => expect(b.frames.map((f) => f.frame.type)).toEqual(['typing']));
    expect(b.gone).toEqual([]);
    expect(a.gone).toEqual([]);
  });

  it('forms a full mesh of three with exactly one link per pair', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const nodes = [
      await makeNode(hub, 'n1', 'One', secrets),
      await makeNode(hub, 'n2', 'Two', secrets),
      await makeNode(hub, 'n3', 'Three', secrets),
    ];
    for (const node of nodes) node.mesh.join(r.key);

    await vi.waitFor(() => {
      for (const node of nodes) expect(node.mesh.peersIn(r.key)).toHaveLength(2);
    });
    for (const node of nodes) {
      const remotes = node.mesh.peersIn(r.key).map((p) => p.peerId);
      expect(new Set(remotes).size).toBe(2);
    }
  });

  it('redials a member the server still lists after the link drops', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { hub, r, bob } = await linkedPair();
      hub.cut('alice', 'bob');
      await vi.waitFor(() => expect(bob.gone).toHaveLength(1));
      hub.heal('alice', 'bob');
      await vi.advanceTimersByTimeAsync(2_000);
      await vi.waitFor(() => expect(bob.ready).toHaveLength(2));
      expect(bob.mesh.peersIn(r.key)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a stuck link closed from its binary channel is dialled again by the side that dialled', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { r, alice, bob } = await linkedPair();
      // Alice's file channel is stuck: she closes the link. She did not dial; Bob, who did,
      // dials again (a `bye` would have stopped him).
      alice.mesh.binaryChannel(alice.ready[0]!)?.closeLink('stuck');
      await vi.waitFor(() => expect(bob.gone).toHaveLength(1));
      await vi.advanceTimersByTimeAsync(2_000);
      await vi.waitFor(() => expect(alice.ready).toHaveLength(2));
      expect(alice.mesh.peersIn(r.key).map((p) => p.peerId)).toEqual(['bob']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves a room: the server and the members hear it, and nothing of it reaches the app', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const hub = new MemoryHub();
      const left = await room();
      const kept = await room();
      const secrets = new Map([
        [left.key, left.secret],
        [kept.key, kept.secret],
      ]);
      const alice = await makeNode(hub, 'alice', 'Alice', secrets);
      alice.mesh.join(left.key);
      alice.mesh.join(kept.key);
      const bob = await makeNode(hub, 'bob', 'Bob', secrets);
      bob.mesh.join(left.key);
      bob.mesh.join(kept.key);
      await vi.waitFor(() => {
        expect(alice.mesh.peersIn(left.key)).toHaveLength(1);
        expect(alice.mesh.peersIn(kept.key)).toHaveLength(1);
      });

      alice.mesh.leave(left.key);
      expect(hub.membersOf(left.key)).toEqual(['bob']);
      // Bob's frames still in flight on the closing link are not handed to Alice's app.
      bob.mesh.broadcast(left.key, { type: 'events', events: [], keys: {} });
      await vi.waitFor(() => expect(bob.gone.map((p) => p.room)).toEqual([left.key]));
      expect(alice.mesh.peersIn(left.key)).toEqual([]);
      expect(alice.frames).toEqual([]);
      expect(alice.gone.map((p) => p.room)).toEqual([left.key]);

      // Bob, who dialled, does not redial someone who left; the other room is untouched.
      await vi.advanceTimersByTimeAsync(10_000);
      const bobLinks = [...(hub.transport('bob')?.links ?? [])];
      expect(bobLinks.map((l) => l.room)).toEqual([kept.key]);
      expect(alice.mesh.peersIn(kept.key)).toHaveLength(1);
      expect(bob.mesh.broadcast(left.key, { type: 'ping', t: 1 })).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns away a dial for a room it left, and links again after joining anew', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const alice = await makeNode(hub, 'alice', 'Alice', secrets);
    alice.mesh.join(r.key);
    alice.mesh.leave(r.key);
    const bob = await makeNode(hub, 'bob', 'Bob', secrets);
    bob.mesh.join(r.key);
    await vi.waitFor(() => expect(hub.membersOf(r.key)).toEqual(['bob']));
    expect(bob.ready).toEqual([]);

    alice.mesh.join(r.key);
    await vi.waitFor(() => expect(alice.ready.map((p) => p.peerId)).toEqual(['bob']));
  });

  it('says when a join is answered and its dials have made their offers (connect first)', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const alice = await makeNode(hub, 'alice', 'Alice', secrets);
    alice.mesh.join(r.key);
    await vi.waitFor(() => expect(hub.membersOf(r.key)).toEqual(['alice']));
    const bob = await makeNode(hub, 'bob', 'Bob', secrets);
    // Not joined: nothing to wait for.
    await bob.mesh.whenDialled(r.key);
    await vi.waitFor(() => expect(bob.status).toBe('online'));
    bob.mesh.join(r.key);
    let isDialled = false;
    const dialled = bob.mesh.whenDialled(r.key).then(() => {
      isDialled = true;
    });
    expect(isDialled).toBe(false);
    await dialled;
    // By then the server's answer came and Bob's dial to Alice has started.
    const dials = [...(hub.transport('bob')?.links ?? [])].filter((l) => l.isDialer);
    expect(dials.map((l) => l.remoteId)).toEqual(['alice']);
    // Joined and answered: later calls resolve without a new answer.
    await bob.mesh.whenDialled(r.key);
  });

  it('does not keep anyone waiting for an answer the signal server can no longer give', async () => {
    const hub = new MemoryHub();
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const bob = await makeNode(hub, 'bob', 'Bob', secrets);
    await vi.waitFor(() => expect(bob.status).toBe('online'));
    const transport = hub.transport('bob');
    if (!transport) throw new Error('no transport');
    bob.mesh.join(r.key);
    const dialled = bob.mesh.whenDialled(r.key);
    transport.disconnectSignal();
    await dialled;
    // While the signal connection is down nothing waits at all.
    await bob.mesh.whenDialled(r.key);
  });

  it('reports a full room', async () => {
    const hub = new MemoryHub(1);
    const r = await room();
    const secrets = new Map([[r.key, r.secret]]);
    const a = await makeNode(hub, 'a', 'A', secrets);
    a.mesh.join(r.key);
    await vi.waitFor(() => expect(hub.membersOf(r.key)).toEqual(['a']));
    const b = await makeNode(hub, 'b', 'B', secrets);
    b.mesh.join(r.key);
    await vi.waitFor(() => expect(b.refused).toEqual([r.key]));
  });
});

describe('RoomMesh binary channels', () => {
  it('hands out a channel only once the link finished its handshake, and it moves bytes', async () => {
    const { hub, r, alice, bob } = await aliceAndBob();
    // What the app would ask with while the handshake runs (it cannot hold a MeshPeer yet).
    const early: MeshPeer = {
      peerId: 'bob' as PeerId,
      room: r.key,
      fingerprint: bob.fingerprint,
      spki: '',
      profile: { name: 'Bob', color: '#123456' },
    };
    bob.mesh.join(r.key);
    let turnsWithLink = 0;
    while (alice.ready.length === 0) {
      if ((hub.transport('alice')?.links.size ?? 0) > 0) turnsWithLink += 1;
      expect(alice.mesh.binaryChannel(early)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(turnsWithLink).toBeGreaterThan(0);
    await vi.waitFor(() => expect(bob.ready).toHaveLength(1));

    const toBob = alice.ready[0] ? alice.mesh.binaryChannel(alice.ready[0]) : null;
    const toAlice = bob.ready[0] ? bob.mesh.binaryChannel(bob.ready[0]) : null;
    if (!toBob || !toAlice) throw new Error('no binary channel between authenticated members');
    expect(alice.mesh.binaryChannel(early)).toBe(toBob);
    // Another identity on the same peer ID, or another room: none.
    expect(alice.mesh.binaryChannel({ ...early, fingerprint: alice.fingerprint })).toBeNull();
    expect(alice.mesh.binaryChannel({ ...early, room: (await room()).key })).toBeNull();

    const received: (ArrayBuffer | string)[] = [];
    toAlice.setHandlers({
      onOpen: () => undefined,
      onMessage: (data) => received.push(data),
      onDrain: () => undefined,
      onClose: () => undefined,
    });
    expect(toBob.send('{"type":"want"}')).toBe(true);
    expect(toBob.send(new Uint8Array([1, 2, 3]).buffer)).toBe(true);
    await vi.waitFor(() => expect(received).toHaveLength(2));
    expect(received[0]).toBe('{"type":"want"}');
    expect([...new Uint8Array(received[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  it('closes a member’s channel with its link, and then has none for them', async () => {
    const { alice, bob } = await linkedPair();
    const aliceSeen = bob.ready[0];
    const toAlice = aliceSeen ? bob.mesh.binaryChannel(aliceSeen) : null;
    if (!aliceSeen || !toAlice) throw new Error('no binary channel');
    let closes = 0;
    toAlice.setHandlers({
      onOpen: () => undefined,
      onMessage: () => undefined,
      onDrain: () => undefined,
      onClose: () => (closes += 1),
    });

    alice.mesh.disconnect(bob.fingerprint);
    await vi.waitFor(() => expect(bob.gone).toHaveLength(1));
    expect(closes).toBe(1);
    expect(toAlice.send('x')).toBe(false);
    expect(bob.mesh.binaryChannel(aliceSeen)).toBeNull();
  });
});
