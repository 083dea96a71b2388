import type { RedisLink } from './redis-link.js';
import { COUNTS, JOIN, LEAVE, LEAVE_ALL, MEMBERS, ROOM_COUNT } from './redis-scripts.js';
import { asArray } from './redis-relay.js';
import type {
  JoinOutcome,
  RegistryCounts,
  RoomDeparture,
  RoomLimits,
  RoomRegistry,
} from './rooms.js';

/**
 * {@link RoomRegistry} in Redis, shared by every node. Each call is one script, so a join checks
 * the room cap and the peer's room cap and adds in one atomic step; every change is fenced by the
 * peer's claim (this node must hold its ID), so a node that lost a peer to another node cannot
 * take it out of its rooms.
 */
export class RedisRoomRegistry implements RoomRegistry {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #limits: RoomLimits;
  readonly #nodeId: string;

  constructor(link: RedisLink, prefix: string, limits: RoomLimits, nodeId: string) {
    this.#link = link;
    this.#prefix = prefix;
    this.#limits = limits;
    this.#nodeId = nodeId;
  }

  async join(peer: string, room: string): Promise<JoinOutcome> {
    const reply = asArray(
      await this.#link.run(JOIN, [
        this.#prefix,
        peer,
        room,
        this.#limits.maxPeersPerRoom,
        this.#limits.maxRoomsPerPeer,
        this.#nodeId,
      ]),
    ).map(String);
    const [status, ...members] = reply;
    switch (status) {
      case 'ok':
        return { status: 'ok', peers: members, isRejoin: false };
      case 'rejoin':
        return { status: 'ok', peers: members.filter((id) => id !== peer), isRejoin: true };
      case 'full':
        return { status: 'full' };
      case 'too-many-rooms':
        return { status: 'too-many-rooms' };
      default:
        return { status: 'gone' };
    }
  }

  async leave(peer: string, room: string): Promise<RoomDeparture | null> {
    const reply = asArray(await this.#link.run(LEAVE, [this.#prefix, peer, room, this.#nodeId]));
    const [wasMember, ...remaining] = reply;
    return Number(wasMember) === 1 ? { room, remaining: remaining.map(String) } : null;
  }

  async leaveAll(peer: string): Promise<RoomDeparture[]> {
    return parseDepartures(await this.#link.run(LEAVE_ALL, [this.#prefix, peer, this.#nodeId]));
  }

  async members(room: string): Promise<string[]> {
    return asArray(await this.#link.run(MEMBERS, [this.#prefix, room])).map(String);
  }

  async roomCountOf(peer: string): Promise<number> {
    return Number(await this.#link.run(ROOM_COUNT, [this.#prefix, peer]));
  }

  async counts(): Promise<RegistryCounts> {
    const [rooms, peers] = asArray(await this.#link.run(COUNTS, [this.#prefix]));
    return { rooms: Number(rooms ?? 0), peers: Number(peers ?? 0) };
  }
}

/** `[[room, [remaining…]]…]` (JSON from a script) → departures. */
export function parseDepartures(reply: unknown): RoomDeparture[] {
  const decoded: unknown = typeof reply === 'string' ? JSON.parse(reply) : reply;
  return asArray(decoded).flatMap((entry) => {
    const [room, remaining] = asArray(entry);
    return typeof room === 'string' ? [{ room, remaining: asArray(remaining).map(String) }] : [];
  });
}
