/**
 * The room frames Parley adds to the PeerJS signalling socket (DESIGN §3), client side: the parser
 * for what the server sends and builders for what the client sends. The schemas live in
 * room-frames.ts, which the signal server imports too.
 *
 * PeerJS's own frames (OPEN, OFFER, ANSWER, CANDIDATE, HEARTBEAT, …) arrive on the same socket;
 * the parser returns null for them silently, and warns only about malformed `X-ROOM-*` frames.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { describeIssues, fitsFrameBytes } from './parse-helpers';
import {
  ROOM_FRAME_PREFIX,
  roomReplySchema,
  type RoomReply,
  type RoomRequestInput,
} from './room-frames';

const log = createLogger('signal');

export { ROOM_FRAME_PREFIX };

/** Every room frame the server sends to a client. */
export type SignalFrame = RoomReply;

/** Answer to our join: the peers that were in the room before us (we dial them). */
export type RoomPeersFrame = Extract<SignalFrame, { type: 'X-ROOM-PEERS' }>;
/** Answer to our join: the room is at its member cap; we are not in it. */
export type RoomFullFrame = Extract<SignalFrame, { type: 'X-ROOM-FULL' }>;
/** Another peer joined a room we are in (it will dial us). */
export type RoomJoinedFrame = Extract<SignalFrame, { type: 'X-ROOM-JOINED' }>;
/** A peer left a room we are in (or its socket went away). */
export type RoomLeftFrame = Extract<SignalFrame, { type: 'X-ROOM-LEFT' }>;
/** The server refused a room request (bad key format, too many rooms, …). */
export type RoomErrorFrame = Extract<SignalFrame, { type: 'X-ROOM-ERROR' }>;

/** Every room frame a client sends to the server. */
export type ClientSignalFrame = RoomRequestInput;
/** Client → server: join a room (send only after the socket's `open`, DESIGN §12). */
export type RoomJoinFrame = Extract<ClientSignalFrame, { type: 'X-ROOM-JOIN' }>;
/** Client → server: leave a room. */
export type RoomLeaveFrame = Extract<ClientSignalFrame, { type: 'X-ROOM-LEAVE' }>;

/** Schema of the server → client room frames. */
export const signalFrameSchema = roomReplySchema;

function frameType(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
}

/**
 * Parses one message from the signalling socket: a JSON string or the object PeerJS already
 * parsed. Returns a room frame, or null (silently for PeerJS's own frames, with a warning for a
 * malformed room frame); never throws.
 */
export function parseSignalFrame(raw: unknown): SignalFrame | null {
  let json: unknown = raw;
  if (typeof raw === 'string') {
    if (!fitsFrameBytes(raw)) {
      log.warn('dropped signal frame: too large');
      return null;
    }
    try {
      json = JSON.parse(raw);
    } catch {
      log.warn('dropped signal frame: not JSON');
      return null;
    }
  }
  const type = frameType(json);
  if (typeof type !== 'string' || !type.startsWith(ROOM_FRAME_PREFIX)) return null;
  const result = v.safeParse(signalFrameSchema, json);
  if (!result.success) {
    log.warn(`dropped ${type.slice(0, 32)} frame:`, describeIssues(result.issues));
    return null;
  }
  return result.output;
}

/** Builds the frame that joins `room` (a room key). */
export function roomJoinFrame(room: string): RoomJoinFrame {
  return { type: 'X-ROOM-JOIN', payload: { room } };
}

/** Builds the frame that leaves `room` (a room key). */
export function roomLeaveFrame(room: string): RoomLeaveFrame {
  return { type: 'X-ROOM-LEAVE', payload: { room } };
}
