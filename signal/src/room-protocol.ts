import * as v from 'valibot';
import {
  ROOM_FRAME_PREFIX,
  roomRequestSchema,
  type RoomRequest,
} from '../../web/src/lib/protocol/room-frames.js';

/**
 * The server's reading of the room frames on the PeerJS signalling socket (DESIGN §3). The frames
 * themselves are defined once, for the server and the PWA, in room-frames.ts. PeerServer handles
 * its own types and emits every parsed frame on `'message'`; these `X-ROOM-*` ones are ours.
 */

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
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { kind: 'not-room' };
  }
  const { type } = frame as { type?: unknown };
  if (typeof type !== 'string' || !type.startsWith(ROOM_FRAME_PREFIX)) return { kind: 'not-room' };
  if (type !== 'X-ROOM-JOIN' && type !== 'X-ROOM-LEAVE') return { kind: 'unknown-room-type' };
  const parsed = v.safeParse(roomRequestSchema, frame);
  return parsed.success ? { kind: 'request', request: parsed.output } : { kind: 'bad-room' };
}
