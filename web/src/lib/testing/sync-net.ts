/**
 * Test helpers for the sync engine (not part of the app): members with their own store and
 * engine, and `TestNet`, which wires engines to each other directly with seeded faults. Shared by
 * sync-engine.test.ts and the convergence simulation (sync-convergence.sim.test.ts).
 */
import { signEvent, textOf } from '../domain/events';
import { createIdentityKeys, type IdentityKeys } from '../crypto/identity';
import { newRoomSecret, roomKeyFromSecret } from '../crypto/room-keys';
import type { AppFrame, RoomMesh } from '../net/room-mesh';
import type { ChatEvent } from '../protocol/events';
import {
  encodePeerFrame,
  parsePeerFrame,
  splitEventsIntoFrames,
  type PeerFrame,
} from '../protocol/peer-frames';
import { openIdbStore, type IdbChatStore } from '../storage/idb-store';
import {
  isSyncFrame,
  SyncEngine,
  type SyncEngineOptions,
  type SyncPeer,
} from '../sync/sync-engine';
import type { PeerId, RoomKey, RoomSecret } from '../protocol/ids';
import type { Budgets } from '../domain/budgets';

export interface Room {
  secret: RoomSecret;
  key: RoomKey;
}

/** One member's store and engine; `mesh` only for members on the in-memory mesh. */
export interface Member {
  name: string;
  keys: IdentityKeys;
  store: IdbChatStore;
  engine: SyncEngine;
  mesh?: RoomMesh;
}

/** Members made since the last `stopStarted()`. */
const started: Member[] = [];

/** Registers a member for `stopStarted()`. */
export function track(member: Member): void {
  started.push(member);
}

/** Stops every member made since the last call and closes their stores (an `afterEach`). */
export async function stopStarted(): Promise<void> {
  const members = started.splice(0);
  for (const m of members) {
    m.mesh?.stop();
    m.engine.stop();
  }
  await Promise.all(members.map((m) => m.engine.whenIdle()));
  for (const m of members) m.store.close();
}

export async function makeRoom(): Promise<Room> {
  const secret = newRoomSecret();
  return { secret, key: await roomKeyFromSecret(secret) };
}

/** A store holding the room, for a member with `keys`. */
export async function openMemberStore(
  name: string,
  keys: IdentityKeys,
  room: Room,
  budgets?: Budgets,
): Promise<IdbChatStore> {
  const store = await openIdbStore({
    name: `sync-${name}-${crypto.randomUUID()}`,
    selfFingerprint: keys.fingerprint,
    ...(budgets ? { budgets } : {}),
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
  if (!created.ok) throw new Error(created.error.message);
  return store;
}

/** Hands an app frame to the engine the way the session does. */
export function dispatch(engine: SyncEngine, peer: SyncPeer, frame: AppFrame): Promise<void> {
  return isSyncFrame(frame) ? engine.handleFrame(peer, frame) : Promise.resolve();
}

export function throwOnStoreError(error: { kind: string }): never {
  throw new Error(`store error ${error.kind}`);
}

/** Stores one of the member's own messages (as the session's `send` does), nothing more. */
export async function write(m: Member, room: RoomKey, text: string): Promise<ChatEvent> {
  const result = await m.store.appendOwnEvent({
    conv: room,
    author: m.keys.fingerprint,
    content: { kind: 'text', body: { text } },
    sign: (e) => signEvent(e, m.keys.privateKey),
    nowMs: Date.now(),
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export async function texts(m: Member, room: RoomKey): Promise<string[]> {
  return (await m.store.listEvents(room)).map((e) => textOf(e));
}

export function peerOf(m: Pick<Member, 'name' | 'keys'>, room: RoomKey): SyncPeer {
  return {
    peerId: `peer-${m.name}` as PeerId,
    room,
    fingerprint: m.keys.fingerprint,
    spki: m.keys.spki,
    profile: { name: m.name, color: '#000000' },
  };
}

/** A frame as the far end of a link receives it (through the wire format and the parser). */
export function overTheWire(frame: PeerFrame): AppFrame {
  const parsed = parsePeerFrame(encodePeerFrame(frame));
  if (!parsed || !['events', 'sync', 'have'].includes(parsed.type)) {
    throw new Error(`not an app frame: ${encodePeerFrame(frame)}`);
  }
  return parsed as AppFrame;
}

export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function tasks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await nextTask();
}

let keyPool: IdentityKeys[] = [];

/** Makes the five identities `poolKeys` hands out (a `beforeAll`: key generation is slow). */
export async function makeKeyPool(): Promise<void> {
  keyPool = await Promise.all([1, 2, 3, 4, 5].map(() => createIdentityKeys()));
}

export function poolKeys(i: number): IdentityKeys {
  const keys = keyPool[i];
  if (!keys) throw new Error(`no key ${i}`);
  return keys;
}

/** What one link carried, by direction ("alice>bob") and frame type. */
type FrameLog = Map<string, { type: PeerFrame['type']; events: number }[]>;

/**
 * What goes wrong on the wire, decided by a seeded generator (so a failing run replays):
 * `duplicate` of the frames arrive twice (as when two members relay the same events); with
 * `reorder`, frames wait a random few tasks, so the frames of different links interleave
 * differently (each link stays in order, like a data channel). Frames in flight on a link that
 * is cut are always lost.
 */
export interface Faults {
  seed: number;
  duplicate: number;
  reorder: boolean;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Engines wired to each other directly, without handshakes: links open and close at once, frames
 * go through the wire format and arrive in order one task later, each handled before the next as
 * the mesh does. Fast enough for property tests.
 */
export class TestNet {
  readonly members: Member[] = [];
  readonly frames: FrameLog = new Map();
  readonly failures: unknown[] = [];
  #links = new Map<string, { views: Map<Member, SyncPeer>; deliveries: Promise<void>[] }>();
  #isStopped = false;
  #faults: Faults | null;
  #random: () => number;

  constructor(
    readonly room: Room,
    faults: Faults | null = null,
  ) {
    this.#faults = faults;
    this.#random = seededRandom(faults?.seed ?? 1);
  }

  async add(
    name: string,
    keys: IdentityKeys,
    options: SyncEngineOptions = {},
    budgets?: Budgets,
  ): Promise<Member> {
    const store = await openMemberStore(name, keys, this.room, budgets);
    const member: Member = { name, keys, store, engine: undefined as unknown as SyncEngine };
    member.engine = new SyncEngine(
      {
        store,
        self: { fingerprint: keys.fingerprint, spki: keys.spki },
        send: (peer, frame) => this.#send(member, peer, frame),
        peersIn: () => this.#peersOf(member),
        whenDrained: nextTask,
        onStored: () => undefined,
        onStoreError: throwOnStoreError,
        now: Date.now,
      },
      options,
    );
    this.members.push(member);
    track(member);
    return member;
  }

  isLinked(a: Member, b: Member): boolean {
    return this.#links.has(linkKey(a, b));
  }

  link(a: Member, b: Member): void {
    if (a === b || this.isLinked(a, b)) return;
    const views = new Map([
      [a, peerOf(b, this.room.key)],
      [b, peerOf(a, this.room.key)],
    ]);
    this.#links.set(linkKey(a, b), { views, deliveries: [Promise.resolve(), Promise.resolve()] });
    for (const [self, view] of views) {
      self.engine.onPeerReady(view).catch((error: unknown) => this.failures.push(error));
    }
  }

  unlink(a: Member, b: Member): void {
    const link = this.#links.get(linkKey(a, b));
    if (!link) return;
    this.#links.delete(linkKey(a, b));
    for (const [self, view] of link.views) self.engine.onPeerGone(view);
  }

  /** Stores a message of `m` and pushes it to its links, as the session does. */
  async say(m: Member, text: string): Promise<ChatEvent> {
    const event = await write(m, this.room.key, text);
    const keys = { [m.keys.fingerprint]: m.keys.spki };
    for (const frame of splitEventsIntoFrames([event], keys)) {
      for (const peer of this.#peersOf(m)) this.#send(m, peer, frame);
    }
    m.engine.announce(this.room.key);
    return event;
  }

  /** Frames that went from `a` to `b`. */
  sent(a: Member, b: Member): { type: PeerFrame['type']; events: number }[] {
    return this.frames.get(`${a.name}>${b.name}`) ?? [];
  }

  /** Stops delivering, stops every engine and waits for what is under way. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    for (const m of this.members) m.engine.stop();
    await Promise.all([...this.#links.values()].flatMap((l) => l.deliveries));
    await Promise.all(this.members.map((m) => m.engine.whenIdle()));
  }

  #peersOf(m: Member): SyncPeer[] {
    const peers: SyncPeer[] = [];
    for (const link of this.#links.values()) {
      const view = link.views.get(m);
      if (view) peers.push(view);
    }
    return peers;
  }

  #send(from: Member, peer: SyncPeer, frame: PeerFrame): boolean {
    const to = this.members.find((m) => `peer-${m.name}` === peer.peerId);
    const link = to && this.#links.get(linkKey(from, to));
    if (!to || !link || link.views.get(from) !== peer || this.#isStopped) return false;
    const key = `${from.name}>${to.name}`;
    const log = this.frames.get(key) ?? [];
    log.push({ type: frame.type, events: frame.type === 'events' ? frame.events.length : 0 });
    this.frames.set(key, log);
    const view = link.views.get(to);
    if (!view) return false;
    const wire = overTheWire(frame);
    const lane = from === [...link.views.keys()][0] ? 0 : 1;
    const deliver = async (): Promise<void> => {
      // Frames in flight on a link that closed are lost, as on a real one.
      if (this.#links.get(linkKey(from, to)) !== link || this.#isStopped) return;
      await dispatch(to.engine, view, wire);
    };
    const faults = this.#faults;
    const copies = faults && this.#random() < faults.duplicate ? 2 : 1;
    // Each link keeps its order (a data channel is ordered); with `reorder` each frame waits a
    // random few tasks, so what different links carry interleaves differently every run.
    const delay = faults?.reorder ? Math.floor(this.#random() * 4) : 0;
    for (let copy = 0; copy < copies; copy++) {
      link.deliveries[lane] = (link.deliveries[lane] ?? Promise.resolve())
        .then(() => tasks(delay + 1))
        .then(deliver)
        .catch((error: unknown) => {
          this.failures.push(error);
        });
    }
    return true;
  }
}

function linkKey(a: Member, b: Member): string {
  return [a.name, b.name].sort().join('|');
}
