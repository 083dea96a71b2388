/**
 * Room membership: which signalling peers are in which room. Opaque room keys, random peer IDs;
 * nothing else. Asynchronous, so the same interface has an in-memory implementation (one process,
 * the default) and a Redis one (redis-rooms.ts, scale-out): each call is one atomic step — a join
 * checks both caps and adds in one go — and room-service.ts runs one peer's calls in order.
 */

/** The outcome of asking to join a room. */
export type JoinOutcome =
  /** Joined (or was already a member). `peers` are the other members, in join order. */
  | { status: 'ok'; peers: string[]; isRejoin: boolean }
  /** The room already holds the maximum number of peers; nothing changed. */
  | { status: 'full' }
  /** The peer is already in the maximum number of rooms; nothing changed. */
  | { status: 'too-many-rooms' }
  /** The peer's ID is no longer held by this node (scale-out: it moved); nothing changed. */
  | { status: 'gone' };

/** A room a peer has just left, with the members still in it (to be told). */
export interface RoomDeparture {
  /** The room key. */
  room: string;
  /** Members remaining after the departure, in join order. */
  remaining: string[];
}

/** Sizes for /metrics. */
export interface RegistryCounts {
  /** Rooms with at least one member. */
  rooms: number;
  /** Distinct peers that are in at least one room. */
  peers: number;
}

export interface RoomRegistry {
  /** Adds `peer` to `room` unless a cap forbids it; a refused join leaves no trace. */
  join(peer: string, room: string): Promise<JoinOutcome>;
  /** Removes `peer` from `room`; `null` when it was not a member. */
  leave(peer: string, room: string): Promise<RoomDeparture | null>;
  /** Removes `peer` from every room it is in. */
  leaveAll(peer: string): Promise<RoomDeparture[]>;
  /** The members of `room` in join order (empty when the room does not exist). */
  members(room: string): Promise<string[]>;
  /** How many rooms `peer` is in. */
  roomCountOf(peer: string): Promise<number>;
  /** Current sizes (of the whole service, with Redis). */
  counts(): Promise<RegistryCounts>;
}

export interface RoomLimits {
  /** Largest number of peers one room may hold. */
  maxPeersPerRoom: number;
  /** Largest number of rooms one peer may be in at once. */
  maxRoomsPerPeer: number;
}

/** The registry of one process. Its answers are settled promises of synchronous work. */
export class InMemoryRoomRegistry implements RoomRegistry {
  // Sets keep insertion order, so "peers present before you" come out in join order.
  readonly #membersByRoom = new Map<string, Set<string>>();
  readonly #roomsByPeer = new Map<string, Set<string>>();
  readonly #limits: RoomLimits;

  constructor(limits: RoomLimits) {
    this.#limits = limits;
  }

  join(peer: string, room: string): Promise<JoinOutcome> {
    return Promise.resolve(this.#join(peer, room));
  }

  leave(peer: string, room: string): Promise<RoomDeparture | null> {
    return Promise.resolve(this.#leave(peer, room));
  }

  leaveAll(peer: string): Promise<RoomDeparture[]> {
    const rooms = [...(this.#roomsByPeer.get(peer) ?? [])];
    return Promise.resolve(rooms.flatMap((room) => this.#leave(peer, room) ?? []));
  }

  members(room: string): Promise<string[]> {
    return Promise.resolve([...(this.#membersByRoom.get(room) ?? [])]);
  }

  roomCountOf(peer: string): Promise<number> {
    return Promise.resolve(this.#roomsByPeer.get(peer)?.size ?? 0);
  }

  counts(): Promise<RegistryCounts> {
    return Promise.resolve({ rooms: this.#membersByRoom.size, peers: this.#roomsByPeer.size });
  }

  #join(peer: string, room: string): JoinOutcome {
    const members = this.#membersByRoom.get(room);
    if (members?.has(peer)) {
      return { status: 'ok', peers: [...members].filter((id) => id !== peer), isRejoin: true };
    }
    const rooms = this.#roomsByPeer.get(peer);
    if ((rooms?.size ?? 0) >= this.#limits.maxRoomsPerPeer) return { status: 'too-many-rooms' };
    if ((members?.size ?? 0) >= this.#limits.maxPeersPerRoom) return { status: 'full' };

    const peersBefore = members ? [...members] : [];
    if (members) members.add(peer);
    else this.#membersByRoom.set(room, new Set([peer]));
    if (rooms) rooms.add(room);
    else this.#roomsByPeer.set(peer, new Set([room]));
    return { status: 'ok', peers: peersBefore, isRejoin: false };
  }

  #leave(peer: string, room: string): RoomDeparture | null {
    const members = this.#membersByRoom.get(room);
    if (!members?.delete(peer)) return null;
    if (members.size === 0) this.#membersByRoom.delete(room);

    const rooms = this.#roomsByPeer.get(peer);
    rooms?.delete(room);
    if (rooms?.size === 0) this.#roomsByPeer.delete(peer);
    return { room, remaining: [...members] };
  }
}
