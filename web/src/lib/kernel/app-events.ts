/**
 * What the kernel and the features announce on the app's event bus (kernel/event-bus.ts). The
 * kernel emits these; features emit none of their own here (they expose intention methods), so
 * this list is the whole of what features can react to.
 */
import type { RoomMesh, MeshPeer } from '../net/room-mesh';
import type { Transport } from '../net/transport';
import type { StoreChange } from '../storage/chat-store';
import type { RoomKey } from '../protocol/ids';

/** The network code, loaded when the network starts (not part of the first screen). */
export type NetworkStack = typeof import('../net/network-stack');

/** The network is up: its transport and the lazily loaded network code. */
export interface NetworkUp {
  /** The transport (media calls use it directly). */
  transport: Transport;
  /** The network code module. */
  net: NetworkStack;
  /** The mesh of data links (for the sync engine's port). */
  mesh: RoomMesh;
}

/** Every event of the app bus, by type. */
export interface AppEvents {
  /**
   * A write committed to the store (DESIGN §10), here or in another tab of this profile (which
   * then says so). Emitted after the write, before the writing call resolves.
   */
  change: { change: StoreChange; isFromOtherTab: boolean };
  /** The identity is known and the store open (once per start, before the network starts). */
  ready: undefined;
  /** The network started: the transport and mesh exist (before any room is joined). */
  'network-up': NetworkUp;
  /** The network stopped (another tab took it, the data was deleted, the database outdated). */
  'network-down': undefined;
  /** An authenticated member linked in a listed room (conversations, not invite rooms). */
  'peer-ready': MeshPeer;
  /** That member's current link in the room closed (a replaced duplicate link does not count). */
  'peer-gone': MeshPeer;
  /** Any authenticated link of a listed room closed, current or not (for per-link state). */
  'link-gone': MeshPeer;
  /** This tab stopped taking part in a room (deleted, left, removed): drop what is held for it. */
  'room-left': { room: RoomKey };
  /** The page is going away (pagehide): say goodbye before the links go. */
  'page-leave': undefined;
}
