/**
 * The rooms this tab should be in (STYLE "room directory"): the union of what every source wants
 * — the conversations, the open contact invites — reconciled with the mesh by difference. This
 * is the one place that joins and leaves rooms; features change what they want and reconcile.
 */
import { createLogger } from '../log';
import type { MeshPeer } from '../net/room-mesh';
import type { RoomKey, RoomSecret } from '../protocol/ids';

const log = createLogger('rooms');

/** Something that wants rooms joined. */
export interface RoomSource {
  /** A stable name, for logs. */
  readonly id: string;
  /**
   * Whether members of its rooms are listed: present in the presence map and announced on the
   * bus. False for rooms that are not conversations (invite rooms), whose links go to the
   * source's own `onPeerReady` / `onPeerGone` instead.
   */
  readonly isListed: boolean;
  /** The rooms it wants now, with their secrets. */
  rooms(): Iterable<readonly [room: RoomKey, secret: RoomSecret]>;
  /** A member linked in one of its rooms (unlisted sources only). */
  onPeerReady?(peer: MeshPeer): void;
  /** That link closed (unlisted sources only). */
  onPeerGone?(peer: MeshPeer): void;
}

/** What the directory needs of the mesh. */
export interface RoomJoiner {
  /** Joins a room on the signal server and dials its members. */
  join(room: RoomKey): void;
  /** Leaves a room (bye on its links, leave on the signal server). */
  leave(room: RoomKey): void;
}

interface Wanted {
  secret: RoomSecret;
  source: RoomSource;
}

/** The rooms wanted and joined. */
export class RoomDirectory {
  #sources: RoomSource[] = [];
  #wanted = new Map<RoomKey, Wanted>();
  #mesh: RoomJoiner | null = null;
  #onLeft: (room: RoomKey) => void;

  /** `onLeft`: a room stopped being wanted (called before the mesh leaves it). */
  constructor(onLeft: (room: RoomKey) => void) {
    this.#onLeft = onLeft;
  }

  /** Adds a source of rooms; the returned function removes it. Call `reconcile` after. */
  addSource(source: RoomSource): () => void {
    this.#sources.push(source);
    return () => {
      this.#sources = this.#sources.filter((s) => s !== source);
    };
  }

  /** The secret of a wanted room (the mesh proves it in every handshake). */
  secretFor(room: RoomKey): RoomSecret | undefined {
    return this.#wanted.get(room)?.secret;
  }

  /** The source that wants `room`, if any. */
  sourceOf(room: RoomKey): RoomSource | undefined {
    return this.#wanted.get(room)?.source;
  }

  /** True when `room` is wanted by a listed source (a conversation). */
  isListed(room: RoomKey): boolean {
    return this.#wanted.get(room)?.source.isListed ?? false;
  }

  /** The rooms wanted now. */
  rooms(): RoomKey[] {
    return [...this.#wanted.keys()];
  }

  /**
   * Recomputes what is wanted from every source: joins the rooms that are new, leaves the rooms
   * no source wants any more. The first source that names a room owns it.
   */
  reconcile(): void {
    const next = new Map<RoomKey, Wanted>();
    for (const source of this.#sources) {
      for (const [room, secret] of source.rooms()) {
        if (!next.has(room)) next.set(room, { secret, source });
      }
    }
    const previous = this.#wanted;
    this.#wanted = next;
    for (const room of previous.keys()) {
      if (next.has(room)) continue;
      this.#onLeft(room);
      this.#mesh?.leave(room);
    }
    for (const room of next.keys()) {
      if (!previous.has(room)) this.#mesh?.join(room);
    }
  }

  /** The network started: join every wanted room. */
  attach(mesh: RoomJoiner): void {
    this.#mesh = null;
    this.reconcile();
    this.#mesh = mesh;
    for (const room of this.#wanted.keys()) mesh.join(room);
    log.debug('joined', this.#wanted.size, 'rooms');
  }

  /** The network stopped. */
  detach(): void {
    this.#mesh = null;
  }

  /** Asks every room for its members again (e.g. after unblocking someone we stopped dialling). */
  rejoinAll(): void {
    for (const room of this.#wanted.keys()) this.#mesh?.join(room);
  }
}
