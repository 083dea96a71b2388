import * as v from 'valibot';
import {
  peerIdSchema,
  RELAY_FRAME_TYPES,
  relayFrameSchema,
  type PeerId,
  type RelayFrame,
  type RelayRefusalReason,
} from '../../web/src/lib/protocol/room-frames.js';

/**
 * The first look at every frame a client sends, before PeerServer or anything else parses it:
 * size, nesting depth, then type. PeerServer would relay OFFER/ANSWER/CANDIDATE whatever their
 * payload (a 5,000-level one then throws in `JSON.stringify` for the receiver, and PeerServer
 * closes the *receiver's* socket), so relayed frames are checked against the shapes peerjs 1.5.5
 * sends and relayed by us instead (signal-relay.ts). Pure: text in, a verdict out.
 */

/** The bounds {@link inspectFrame} applies. */
export interface GuardLimits {
  /** Largest frame, in bytes, that is parsed at all. */
  maxFrameBytes: number;
  /** Deepest bracket nesting of a frame. */
  maxDepth: number;
}

/** What to do with one frame. */
export type Inspection =
  /** HEARTBEAT, or one of our `X-` frames: hand it to PeerServer, whose 'message' we listen to. */
  | { kind: 'pass'; type: string }
  /** A well-formed OFFER, ANSWER or CANDIDATE for another peer: relay it. */
  | { kind: 'relay'; frame: RelayFrame }
  /** Refused, and the sender is told why (X-RELAY-REFUSED). */
  | { kind: 'refuse'; reason: RelayRefusalReason; dst: PeerId | null }
  /** Dropped without a word: not JSON, no type, or a type clients never send (LEAVE, EXPIRE …). */
  | { kind: 'drop'; why: string };

const RELAY_TYPES: ReadonlySet<string> = new Set(RELAY_FRAME_TYPES);

/** Classifies one frame (`text`, `byteLength` bytes on the wire). Never throws. */
export function inspectFrame(text: string, byteLength: number, limits: GuardLimits): Inspection {
  if (byteLength > limits.maxFrameBytes) return { kind: 'refuse', reason: 'too-large', dst: null };
  if (exceedsJsonDepth(text, limits.maxDepth)) {
    return { kind: 'refuse', reason: 'too-deep', dst: null };
  }
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { kind: 'drop', why: 'not JSON' };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { kind: 'drop', why: 'not an object' };
  }
  const { type, dst } = frame as { type?: unknown; dst?: unknown };
  if (typeof type !== 'string') return { kind: 'drop', why: 'no type' };
  if (type === 'HEARTBEAT' || type.startsWith('X-')) return { kind: 'pass', type };
  if (!RELAY_TYPES.has(type)) return { kind: 'drop', why: 'a type clients do not send' };
  const parsed = v.safeParse(relayFrameSchema, frame);
  if (parsed.success) return { kind: 'relay', frame: parsed.output };
  const destination = v.safeParse(peerIdSchema, dst);
  return {
    kind: 'refuse',
    reason: 'invalid',
    dst: destination.success ? destination.output : null,
  };
}

/**
 * True when `text` nests brackets deeper than `maxDepth` outside strings. A linear scan that stops
 * at the first level too many, so a hostile frame costs no more than reading it.
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let isInString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isInString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) isInString = false;
    } else if (code === QUOTE) {
      isInString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
