/**
 * Room membership: which signalling peers are in which room. Opaque room keys, random peer IDs;
 * nothing else. Pure and synchronous so that a join, its reply and its pushes are one atomic step.
 * A Redis-backed registry for scale-out (DESIGN §3) will need an async variant of this interface
 * and per-peer serialisation of frames in the server.
 */

/** The outcome of asking to join a room. */
export type JoinOutcome =
  /** Joined (or was already a member). `peers` are the other members, in join order. */
  | { status: 'ok'; peers: string[]; isRejoin: boolean }
  /** The room already holds the maximum number of peers; nothing changed. */
  | { status: 'full' }
  /** The peer is already in the maximum number of rooms; nothing changed. */
  | { status: 'too-many-rooms' };

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
  join(peer: string, room: string): JoinOutcome;
  /** Removes `peer` from `room`; `null` when it was not a member. */
  leave(peer: string, room: string): RoomDeparture | null;
  /** Removes `peer` from every room it is in. */
  leaveAll(peer: string): RoomDeparture[];
  /** The members of `room` in join order (empty when the room does not exist). */
  members(room: string): string[];
  /** How many rooms `peer` is in. */
  roomCountOf(peer: string): number;
  /** Current sizes. */
  counts(): RegistryCounts;
}

export interface RoomLimits {
  /** Largest number of peers one room may hold. */
  maxPeersPerRoom: number;
  /** Largest number of rooms one peer may be in at once. */
  maxRoomsPerPeer: number;
}

export class InMemoryRoomRegistry implements RoomRegistry {
  // Sets keep insertion order, so "peers present before you" come out in join order.
  readonly #membersByRoom = new Map<string, Set<string>>();
  readonly #roomsByPeer = new Map<string, Set<string>>();
  readonly #limits: RoomLimits;

  constructor(limits: RoomLimits) {
    this.#limits = limits;
  }

  join(peer: string, room: string): JoinOutcome {
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

  leave(peer: string, room: string): RoomDeparture | null {
    const members = this.#membersByRoom.get(room);
    if (!members?.delete(peer)) return null;
    if (members.size === 0) this.#membersByRoom.delete(room);

    const rooms = this.#roomsByPeer.get(peer);
    rooms?.delete(room);
    if (rooms?.size === 0) this.#roomsByPeer.delete(peer);
    return { room, remaining: [...members] };
  }

  leaveAll(peer: string): RoomDeparture[] {
    const rooms = [...(this.#roomsByPeer.get(peer) ?? [])];
    return rooms.flatMap((room) => this.leave(peer, room) ?? []);
  }

  members(room: string): string[] {
    return [...(this.#membersByRoom.get(room) ?? [])];
  }

  roomCountOf(peer: string): number {
    return this.#roomsByPeer.get(peer)?.size ?? 0;
  }

  counts(): RegistryCounts {
    return { rooms: this.#membersByRoom.size, peers: this.#roomsByPeer.size };
  }
}
