import { isRoomKey, type RoomKey } from './limits.js';

/**
 * The room frames carried on the PeerJS signalling socket (DESIGN §3). PeerServer handles its own
 * types (HEARTBEAT, OFFER, ANSWER, CANDIDATE, LEAVE, EXPIRE) and emits every parsed frame on
 * `'message'`; these `X-ROOM-*` types are ours. None carries `connectionId`: peerjs 1.5.5 parks
 * any unknown frame that has one in `_lostMessages` forever (lib/peer.ts `_handleMessage`).
 */

/** Prefix shared by every room frame type. */
export const ROOM_FRAME_PREFIX = 'X-ROOM-';

/** Client → server. */
export type RoomRequest =
  /** Join `room`; answered with X-ROOM-PEERS, X-ROOM-FULL or X-ROOM-ERROR. */
  | { type: 'X-ROOM-JOIN'; room: RoomKey }
  /** Leave `room`; the remaining members get X-ROOM-LEFT. */
  | { type: 'X-ROOM-LEAVE'; room: RoomKey };

/** Why a room request was refused. */
export type RoomErrorReason = 'bad-room' | 'too-many-rooms';

/** Server → client. */
export type RoomReply =
  /** You are in `room`; `peers` were there before you (never yourself). Dial them. */
  | { type: 'X-ROOM-PEERS'; payload: { room: string; peers: string[] } }
  /** `room` is at its member cap; you were not added. */
  | { type: 'X-ROOM-FULL'; payload: { room: string } }
  /** `peer` joined `room`, which you are in. It will dial you. */
  | { type: 'X-ROOM-JOINED'; payload: { room: string; peer: string } }
  /** `peer` left `room` (asked to, or its signalling socket went away). */
  | { type: 'X-ROOM-LEFT'; payload: { room: string; peer: string } }
  /** A request was refused; `room` is null when the request had no usable room key. */
  | { type: 'X-ROOM-ERROR'; payload: { room: string | null; reason: RoomErrorReason } };

/** What {@link parseRoomFrame} made of a frame. */
export type ParsedFrame =
  /** A well-formed room request. */
  | { kind: 'request'; request: RoomRequest }
  /** A JOIN or LEAVE whose payload or room key is unusable. */
  | { kind: 'bad-room' }
  /** An `X-ROOM-*` type we do not accept from clients. */
  | { kind: 'unknown-room-type' }
  /** Not a room frame at all: PeerServer's business, or junk it already ignores. */
  | { kind: 'not-room' };

/**
 * Classifies one frame as PeerServer parsed it. Anything can arrive here: PeerServer only runs
 * `JSON.parse` and sets `src`, so arrays, objects without `type` and payloads of any shape do.
 */
export function parseRoomFrame(frame: unknown): ParsedFrame {
  if (!isPlainObject(frame)) return { kind: 'not-room' };
  const { type, payload } = frame;
  if (typeof type !== 'string' || !type.startsWith(ROOM_FRAME_PREFIX)) return { kind: 'not-room' };
  if (type !== 'X-ROOM-JOIN' && type !== 'X-ROOM-LEAVE') return { kind: 'unknown-room-type' };
  if (!isPlainObject(payload) || !isRoomKey(payload.room)) return { kind: 'bad-room' };
  return { kind: 'request', request: { type, room: payload.room } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
