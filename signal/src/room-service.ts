import type { RoomErrorReason, RoomReplyInput } from '../../web/src/lib/protocol/room-frames.js';
import type { Logger } from './log.js';
import { redact } from './log.js';
import { parseRoomFrame } from './room-protocol.js';
import type { RoomDeparture, RoomRegistry } from './rooms.js';

/** Sends a frame to a connected peer by ID; a peer that is gone is skipped. */
export type Deliver = (peerId: string, frame: RoomReplyInput) => void;

/**
 * Applies room frames to the registry and tells everyone affected. Sending is injected, so this
 * knows nothing about sockets or PeerServer.
 */
export class RoomService {
  readonly #registry: RoomRegistry;
  readonly #deliver: Deliver;
  readonly #log: Logger;

  constructor(registry: RoomRegistry, deliver: Deliver, log: Logger) {
    this.#registry = registry;
    this.#deliver = deliver;
    this.#log = log;
  }

  /**
   * Handles one frame from `peerId` (any frame: non-room ones are ignored, PeerServer handles
   * them). Never throws on bad input; a refused request changes nothing. True when it was a
   * well-formed room request.
   */
  handleFrame(peerId: string, frame: unknown): boolean {
    const parsed = parseRoomFrame(frame);
    switch (parsed.kind) {
      case 'not-room':
        return false;
      case 'unknown-room-type':
        this.#log.debug('ignored unknown room frame type', { peer: redact(peerId) });
        return false;
      case 'bad-room':
        this.#log.debug('refused room frame with a bad room key', { peer: redact(peerId) });
        this.#deliver(peerId, {
          type: 'X-ROOM-ERROR',
          payload: { room: null, reason: 'bad-room' satisfies RoomErrorReason },
        });
        return false;
      case 'request': {
        const { request } = parsed;
        if (request.type === 'X-ROOM-JOIN') this.#join(peerId, request.payload.room);
        else this.#leave(peerId, request.payload.room);
        return true;
      }
      default:
        assertNever(parsed);
    }
  }

  /** Takes `peerId` out of every room and tells the remaining members. */
  leaveAll(peerId: string): void {
    for (const departure of this.#registry.leaveAll(peerId)) this.#announceLeft(peerId, departure);
  }

  #join(peerId: string, room: string): void {
    const outcome = this.#registry.join(peerId, room);
    const fields = { peer: redact(peerId), room: redact(room) };
    switch (outcome.status) {
      case 'full':
        this.#log.debug('room full', fields);
        this.#deliver(peerId, { type: 'X-ROOM-FULL', payload: { room } });
        return;
      case 'too-many-rooms':
        this.#log.debug('peer is in too many rooms', fields);
        this.#deliver(peerId, {
          type: 'X-ROOM-ERROR',
          payload: { room, reason: 'too-many-rooms' satisfies RoomErrorReason },
        });
        return;
      case 'ok':
        this.#log.debug(outcome.isRejoin ? 'peer re-joined room' : 'peer joined room', fields);
        this.#deliver(peerId, { type: 'X-ROOM-PEERS', payload: { room, peers: outcome.peers } });
        // Members already know a re-joiner; pushing JOINED again would make them expect a dial.
        if (outcome.isRejoin) return;
        for (const member of outcome.peers) {
          this.#deliver(member, { type: 'X-ROOM-JOINED', payload: { room, peer: peerId } });
        }
        return;
      default:
        assertNever(outcome);
    }
  }

  #leave(peerId: string, room: string): void {
    const departure = this.#registry.leave(peerId, room);
    if (departure) this.#announceLeft(peerId, departure);
  }

  #announceLeft(peerId: string, { room, remaining }: RoomDeparture): void {
    this.#log.debug('peer left room', { peer: redact(peerId), room: redact(room) });
    for (const member of remaining) {
      this.#deliver(member, { type: 'X-ROOM-LEFT', payload: { room, peer: peerId } });
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
