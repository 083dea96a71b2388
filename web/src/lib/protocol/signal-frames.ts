/**
 * The room frames Parley adds to the PeerJS signalling socket (DESIGN §3), client side: the union
 * the server sends, its parser, and builders for what the client sends.
 *
 * PeerJS's own frames (OPEN, OFFER, ANSWER, CANDIDATE, HEARTBEAT, …) arrive on the same socket;
 * the parser returns null for them silently, and warns only about malformed `X-ROOM-*` frames.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { peerIdSchema, roomKeySchema } from './formats';
import { MAX_SIGNAL_PEERS, MAX_SIGNAL_REASON_CHARS, ROOM_KEY_CHARS } from './limits';
import { describeIssues, fitsFrameBytes } from './parse-helpers';

const log = createLogger('signal');

/** Prefix of every Parley frame on the signalling socket. */
export const ROOM_FRAME_PREFIX = 'X-ROOM-';

/** Answer to our join: the peers that were in the room before us (we dial them). */
export interface RoomPeersFrame {
  /** Frame type. */
  type: 'X-ROOM-PEERS';
  /** The room and its present members' peer ids. */
  payload: { room: string; peers: string[] };
}

/** Answer to our join: the room is at its member cap; we are not in it. */
export interface RoomFullFrame {
  /** Frame type. */
  type: 'X-ROOM-FULL';
  /** The room that is full. */
  payload: { room: string };
}

/** Another peer joined a room we are in (it will dial us). */
export interface RoomJoinedFrame {
  /** Frame type. */
  type: 'X-ROOM-JOINED';
  /** The room and the new peer's id. */
  payload: { room: string; peer: string };
}

/** A peer left a room we are in (or its socket went away). */
export interface RoomLeftFrame {
  /** Frame type. */
  type: 'X-ROOM-LEFT';
  /** The room and the departed peer's id. */
  payload: { room: string; peer: string };
}

/** The server refused a room request (bad key format, too many rooms, …). */
export interface RoomErrorFrame {
  /** Frame type. */
  type: 'X-ROOM-ERROR';
  /** The room concerned if any, and a short machine-readable reason. */
  payload: { room: string | null; reason: string };
}

/** Every room frame the server sends to a client. */
export type SignalFrame =
  RoomPeersFrame | RoomFullFrame | RoomJoinedFrame | RoomLeftFrame | RoomErrorFrame;

/** Client → server: join a room (send only after the socket's `open`, DESIGN §12). */
export interface RoomJoinFrame {
  /** Frame type. */
  type: 'X-ROOM-JOIN';
  /** The room key (never the secret). */
  payload: { room: string };
}

/** Client → server: leave a room. */
export interface RoomLeaveFrame {
  /** Frame type. */
  type: 'X-ROOM-LEAVE';
  /** The room key. */
  payload: { room: string };
}

/** Every room frame a client sends to the server. */
export type ClientSignalFrame = RoomJoinFrame | RoomLeaveFrame;

/** Schema of the server → client room frames. */
export const signalFrameSchema = v.variant('type', [
  v.object({
    type: v.literal('X-ROOM-PEERS'),
    payload: v.object({
      room: roomKeySchema,
      peers: v.pipe(v.array(peerIdSchema), v.maxLength(MAX_SIGNAL_PEERS)),
    }),
  }),
  v.object({ type: v.literal('X-ROOM-FULL'), payload: v.object({ room: roomKeySchema }) }),
  v.object({
    type: v.literal('X-ROOM-JOINED'),
    payload: v.object({ room: roomKeySchema, peer: peerIdSchema }),
  }),
  v.object({
    type: v.literal('X-ROOM-LEFT'),
    payload: v.object({ room: roomKeySchema, peer: peerIdSchema }),
  }),
  v.object({
    type: v.literal('X-ROOM-ERROR'),
    payload: v.object({
      // Lenient on purpose: the server may be reporting exactly that the room key was malformed.
      room: v.nullable(v.pipe(v.string(), v.maxLength(ROOM_KEY_CHARS * 4))),
      reason: v.pipe(v.string(), v.maxLength(MAX_SIGNAL_REASON_CHARS)),
    }),
  }),
]) satisfies v.GenericSchema<unknown, SignalFrame>;

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
