import type { RoomErrorReason, RoomReplyInput } from '../../web/src/lib/protocol/room-frames.js';
import type { Logger } from './log.js';
import { describeError, redact } from './log.js';
import { PeerTasks } from './peer-tasks.js';
import { parseRoomFrame } from './room-protocol.js';
import type { JoinOutcome, RoomDeparture, RoomRegistry } from './rooms.js';

/** Sends a frame to connected peers by ID, wherever they are; peers that are gone are skipped. */
export type Deliver = (peerIds: readonly string[], frame: RoomReplyInput) => void;

/** How a join went, for /metrics. */
export type JoinResult = 'joined' | 'rejoined' | 'full' | 'too-many-rooms' | 'bad-room' | 'failed';

export interface RoomServiceOptions {
  registry: RoomRegistry;
  deliver: Deliver;
  log: Logger;
  /** Runs each peer's work in order (shared with the server's connect and disconnect steps). */
  tasks: PeerTasks;
  /** Counts a join request by result. */
  onJoin?: (result: JoinResult) => void;
  /** The registry failed for `peerId` (Redis unreachable): its rooms may be stale. */
  onFailure?: (peerId: string) => void;
}

/**
 * Applies room frames to the registry and tells everyone affected. Sending is injected, so this
 * knows nothing about sockets, nodes or PeerServer. A peer's requests are handled in the order it
 * sent them (the registry is asynchronous), and its departure after all of them.
 */
export class RoomService {
  readonly #options: RoomServiceOptions;
  /** Rooms of the peers connected to this node (idle sockets are those in none). */
  readonly #localRooms = new Map<string, Set<string>>();

  constructor(options: RoomServiceOptions) {
    this.#options = options;
  }

  /**
   * Handles one frame from `peerId` (any frame: non-room ones are ignored, PeerServer handles
   * them). Never throws on bad input; a refused request changes nothing. True when it was a
   * well-formed room request.
   */
  handleFrame(peerId: string, frame: unknown): boolean {
    const { log, deliver } = this.#options;
    const parsed = parseRoomFrame(frame);
    switch (parsed.kind) {
      case 'not-room':
        return false;
      case 'unknown-room-type':
        log.debug('ignored unknown room frame type', { peer: redact(peerId) });
        return false;
      case 'bad-room':
        log.debug('refused room frame with a bad room key', { peer: redact(peerId) });
        this.#options.onJoin?.('bad-room');
        deliver([peerId], {
          type: 'X-ROOM-ERROR',
          payload: { room: null, reason: 'bad-room' satisfies RoomErrorReason },
        });
        return false;
      case 'request': {
        const { request } = parsed;
        const room = request.payload.room;
        if (request.type === 'X-ROOM-JOIN') this.#queue(peerId, () => this.#join(peerId, room));
        else this.#queue(peerId, () => this.#leave(peerId, room));
        return true;
      }
      default:
        assertNever(parsed);
    }
  }

  /**
   * Takes `peerId` out of every room and tells the remaining members, after its requests; then
   * runs `andThen` in the same step (the rest of a departure).
   */
  leaveAll(peerId: string, andThen?: () => Promise<void>): Promise<void> {
    return this.#options.tasks.run(peerId, async () => {
      this.#localRooms.delete(peerId);
      for (const departure of await this.#options.registry.leaveAll(peerId)) {
        this.announceLeft(peerId, departure);
      }
      await andThen?.();
    });
  }

  /** Tells the members still in a room that `peerId` left it. */
  announceLeft(peerId: string, { room, remaining }: RoomDeparture): void {
    this.#options.log.debug('peer left room', { peer: redact(peerId), room: redact(room) });
    this.#options.deliver(remaining, { type: 'X-ROOM-LEFT', payload: { room, peer: peerId } });
  }

  /** How many rooms a peer connected to this node is in (as far as this node's requests went). */
  roomCountOf(peerId: string): number {
    return this.#localRooms.get(peerId)?.size ?? 0;
  }

  #queue(peerId: string, work: () => Promise<void>): void {
    this.#options.tasks.run(peerId, work).catch((error: unknown) => {
      this.#options.log.warn('a room request failed', describeError(error));
      this.#options.onJoin?.('failed');
      this.#options.onFailure?.(peerId);
    });
  }

  async #join(peerId: string, room: string): Promise<void> {
    const { registry, deliver, log, onJoin } = this.#options;
    const outcome: JoinOutcome = await registry.join(peerId, room);
    const fields = { peer: redact(peerId), room: redact(room) };
    switch (outcome.status) {
      case 'full':
        log.debug('room full', fields);
        onJoin?.('full');
        deliver([peerId], { type: 'X-ROOM-FULL', payload: { room } });
        return;
      case 'too-many-rooms':
        log.debug('peer is in too many rooms', fields);
        onJoin?.('too-many-rooms');
        deliver([peerId], {
          type: 'X-ROOM-ERROR',
          payload: { room, reason: 'too-many-rooms' satisfies RoomErrorReason },
        });
        return;
      case 'gone':
        // Another node holds this peer now; its socket here is about to close.
        log.debug('ignored a join from a peer held elsewhere', fields);
        return;
      case 'ok': {
        log.debug(outcome.isRejoin ? 'peer re-joined room' : 'peer joined room', fields);
        onJoin?.(outcome.isRejoin ? 'rejoined' : 'joined');
        const rooms = this.#localRooms.get(peerId);
        if (rooms) rooms.add(room);
        else this.#localRooms.set(peerId, new Set([room]));
        deliver([peerId], { type: 'X-ROOM-PEERS', payload: { room, peers: outcome.peers } });
        // Members already know a re-joiner; pushing JOINED again would make them expect a dial.
        if (outcome.isRejoin) return;
        deliver(outcome.peers, { type: 'X-ROOM-JOINED', payload: { room, peer: peerId } });
        return;
      }
      default:
        assertNever(outcome);
    }
  }

  async #leave(peerId: string, room: string): Promise<void> {
    const rooms = this.#localRooms.get(peerId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.#localRooms.delete(peerId);
    const departure = await this.#options.registry.leave(peerId, room);
    if (departure) this.announceLeft(peerId, departure);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
