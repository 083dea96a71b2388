/**
 * Who is linked right now (DESIGN §4): the authenticated members of every listed room, by room
 * and peer ID. The kernel keeps it from the mesh's reports; features read it.
 */
import type { MeshPeer } from '../net/room-mesh';
import type { Fingerprint, PeerId, RoomKey } from '../protocol/ids';

type Linked = Readonly<Record<string, Readonly<Record<string, MeshPeer>>>>;

/** The members linked now, per room. */
export class Presence {
  /** room → peerId → authenticated peer. */
  #linked = $state.raw<Linked>({});

  /** Every member linked now, in every room (one entry per link). */
  all(): MeshPeer[] {
    return Object.values(this.#linked).flatMap((peers) => Object.values(peers));
  }

  /** The members linked in `room` now (one entry per link). */
  peersOf(room: RoomKey): MeshPeer[] {
    return Object.values(this.#linked[room] ?? {});
  }

  /** An authenticated link to `fingerprint` in `room`, if there is one now. */
  linkedPeer(room: RoomKey, fingerprint: Fingerprint): MeshPeer | undefined {
    return this.peersOf(room).find((p) => p.fingerprint === fingerprint);
  }

  /** The member behind the link from `peerId` in `room`, if linked now. */
  peerAt(room: RoomKey, peerId: PeerId): MeshPeer | undefined {
    return this.#linked[room]?.[peerId];
  }

  /** True while `peer` is the current link of its member in its room (not a replaced one). */
  isCurrent(peer: MeshPeer): boolean {
    return this.#linked[peer.room]?.[peer.peerId] === peer;
  }

  /** A member linked (or a new link replaced their old one). */
  add(peer: MeshPeer): void {
    this.#linked = {
      ...this.#linked,
      [peer.room]: { ...this.#linked[peer.room], [peer.peerId]: peer },
    };
  }

  /** A link closed; true when it was the member's current one (they are gone from the room). */
  remove(peer: MeshPeer): boolean {
    const current = this.#linked[peer.room];
    if (current?.[peer.peerId] !== peer) return false;
    const peers = { ...current };
    delete peers[peer.peerId];
    this.#linked = { ...this.#linked, [peer.room]: peers };
    return true;
  }

  /** Forgets a room's links (it was left: its members' leaving is not news). */
  dropRoom(room: RoomKey): void {
    if (!(room in this.#linked)) return;
    const linked = { ...this.#linked };
    delete linked[room];
    this.#linked = linked;
  }

  /** Forgets everyone (the network stopped). */
  clear(): void {
    this.#linked = {};
  }
}
