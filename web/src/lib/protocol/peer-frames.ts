/**
 * The peer data channel (DESIGN §4, §6): JSON text frames, one discriminated union on `type`, and
 * the one parser every received frame goes through.
 *
 * Adding a frame type (sync, receipts, typing, call control …) means: an interface here, a member
 * in `PeerFrameOf`, a branch in `peerFrameSchema`. Existing frames and their handlers do not
 * change; exhaustive switches ending in `assertNever` show where the new type must be handled.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { utf8ByteLength } from '../encoding';
import { describeIssues, fitsFrameBytes } from './parse-helpers';
import { chatEventSchema } from './event-schema';
import { PROTOCOL_VERSION, type ChatEvent, type Unverified } from './events';
import {
  callIdSchema,
  colorSchema,
  fingerprintSchema,
  hlcSchema,
  macSchema,
  nameSchema,
  nonceSchema,
  ownedRoomSecretSchema,
  roomSecretSchema,
  seqSchema,
  signatureSchema,
  spkiSchema,
} from './formats';
import { MAX_BATCH_EVENTS, MAX_FRAME_BYTES, MAX_VECTOR_AUTHORS } from './limits';

const log = createLogger('protocol');

/** How a peer presents itself. */
export interface Profile {
  /** Display name, at most MAX_NAME_CHARS. */
  name: string;
  /** Avatar colour, "#rrggbb". */
  color: string;
}

/**
 * First frame on a new connection, sent by both sides (DESIGN §4). It carries nothing about who
 * we are: names and keys are only revealed to a peer that has proven the room secret.
 */
export interface HelloFrame {
  /** Frame type. */
  type: 'hello';
  /** Sender's PROTOCOL_VERSION. */
  protocol: typeof PROTOCOL_VERSION;
  /** Fresh random nonce for this connection (crypto/handshake.ts `newNonce`). */
  nonce: string;
}

/** Second frame: proof of the room secret over the handshake transcript. */
export interface AuthFrame {
  /** Frame type. */
  type: 'auth';
  /** HMAC (base64url) keyed from the room secret, from crypto/handshake.ts `proveRoom`. */
  mac: string;
}

/** Third frame, sent only once the peer's `auth` checked: who we are, proven by signature. */
export interface IdentityFrame {
  /** Frame type. */
  type: 'identity';
  /** Sender's identity public key, base64url SPKI. */
  key: string;
  /** Sender's display profile. */
  profile: Profile;
  /** ECDSA signature (base64url) from crypto/handshake.ts `proveIdentity`. */
  sig: string;
}

/** A batch of durable events, with the public keys needed to verify their authors. */
export interface EventsFrame<E = ChatEvent> {
  /** Frame type. */
  type: 'events';
  /** At most MAX_BATCH_EVENTS events. */
  events: E[];
  /** fingerprint → base64url SPKI for (some of) the authors above. */
  keys: Record<string, string>;
}

/** Liveness probe; answered with `pong` carrying the same `t`. */
export interface PingFrame {
  /** Frame type. */
  type: 'ping';
  /** Sender's timestamp (ms), echoed back to measure round-trip time. */
  t: number;
}

/** Answer to `ping`. */
export interface PongFrame {
  /** Frame type. */
  type: 'pong';
  /** The `t` of the ping being answered. */
  t: number;
}

/**
 * "Here is what I have": the sender's version vector for the link's conversation. Sent when a link
 * becomes ready and whenever the sender sees a gap; the receiver answers with the events the
 * sender lacks, oldest first (DESIGN §6).
 */
export interface SyncFrame {
  /** Frame type. */
  type: 'sync';
  /** Author fingerprint → highest contiguous seq the sender holds. */
  vector: Record<string, number>;
}

/**
 * "This is what I have now", sent to the other members after new events were stored. A receiver
 * that lacks something answers with `sync`; one that has more does nothing (the sender will see
 * that in the receiver's own `have`).
 */
export interface HaveFrame {
  /** Frame type. */
  type: 'have';
  /** Author fingerprint → highest contiguous seq the sender holds. */
  vector: Record<string, number>;
}

/**
 * A read receipt (ephemeral, never stored): the sender has seen the link's conversation up to
 * this clock. Sent when its read marker advances, and once on every link that becomes ready.
 */
export interface ReadFrame {
  /** Frame type. */
  type: 'read';
  /** The sender's read marker: the clock of the newest event it showed while the person looked. */
  hlc: string;
}

/**
 * The sender is typing in the link's conversation (ephemeral, never stored). Sent at most once
 * every TYPING_SEND_INTERVAL_MS while the person types; the receiver shows it until
 * TYPING_SHOW_MS pass without another, the sender's next message arrives, or the link goes.
 */
export interface TypingFrame {
  /** Frame type. */
  type: 'typing';
}

/**
 * The sender asks the link's member to become contacts; the receiver's person sees "Accept" /
 * "Decline". The requester's key and name are the ones its handshake proved on this link.
 */
export interface ContactRequestFrame {
  /** Frame type. */
  type: 'contact-request';
}

/**
 * Yes to a contact request: the pair secret, chosen by the accepting side, of the two's direct
 * chat (a two-member room keyed by it). Only ever sent over the authenticated link.
 */
export interface ContactAcceptFrame {
  /** Frame type. */
  type: 'contact-accept';
  /** The pair secret (16 random bytes, base64url; the same form as a room secret). */
  secret: string;
}

/** No to a contact request (or the request was withdrawn by the other side's block). */
export interface ContactDeclineFrame {
  /** Frame type. */
  type: 'contact-decline';
}

/**
 * The room moves to a new secret without the `removed` members (DESIGN §5). Signed by the room's
 * owner; any member passes it on to members who were away. Sent only over authenticated links,
 * never to a removed member.
 */
export interface RoomMoveFrame {
  /** Frame type. */
  type: 'room-move';
  /** The new room's secret. */
  secret: string;
  /** Fingerprints of the members left out (1–MAX_REMOVED_MEMBERS). */
  removed: string[];
  /** The owner's signature over `roomMoveBytes(room, secret, removed)` (crypto/room-keys.ts). */
  sig: string;
  /** The owner's public key (SPKI), for members who never met the owner; its hash must match. */
  ownerKey: string;
}

/** The room's owner removed the receiver from the room; it keeps its history and stops joining. */
export interface RoomRemovedFrame {
  /** Frame type. */
  type: 'room-removed';
}

/** Most members one room move may leave out (a room has at most 16). */
export const MAX_REMOVED_MEMBERS = 16;

/** The sender is closing the connection on purpose (e.g. on `pagehide`); do not redial at once. */
export interface ByeFrame {
  /** Frame type. */
  type: 'bye';
}

// ---- Call control (DESIGN §8): ephemeral, on the authenticated link, never stored ----------------

/** What a call carries: voice only, or voice and video. */
export type CallMedia = 'audio' | 'video';

/**
 * Asks the link's member to join a call. `group` false: a 1:1 call that rings (answered with
 * `call-ringing`, then `call-accept` / `call-decline` / `call-busy`). `group` true: a room call
 * in progress that the member may join with `call-accept` (it does not ring).
 */
export interface CallInviteFrame {
  /** Frame type. */
  type: 'call-invite';
  /** The call's random ID (16 bytes, base64url), made by the caller. */
  callId: string;
  /** Voice or video. */
  media: CallMedia;
  /** A room call (joinable, no ringing) rather than a 1:1 call. */
  group: boolean;
}

/** The callee's device is ringing for `callId`. */
export interface CallRingingFrame {
  /** Frame type. */
  type: 'call-ringing';
  /** The call. */
  callId: string;
}

/** The sender takes part in `callId` (answered a 1:1 call, or joined a room call). */
export interface CallAcceptFrame {
  /** Frame type. */
  type: 'call-accept';
  /** The call. */
  callId: string;
}

/** The callee declined `callId`. */
export interface CallDeclineFrame {
  /** Frame type. */
  type: 'call-decline';
  /** The call. */
  callId: string;
}

/** The caller gave up on `callId` before it was answered (or its ring timed out). */
export interface CallCancelFrame {
  /** Frame type. */
  type: 'call-cancel';
  /** The call. */
  callId: string;
}

/** The callee is in another call and cannot take `callId`. */
export interface CallBusyFrame {
  /** Frame type. */
  type: 'call-busy';
  /** The call. */
  callId: string;
}

/** The sender left `callId` (hung up, or its page is going away). */
export interface CallHangupFrame {
  /** Frame type. */
  type: 'call-hangup';
  /** The call. */
  callId: string;
  /** True when the sender's page is closing (it cannot write the call log itself; DESIGN §8). */
  closing: boolean;
}

/** The sender's microphone, camera and screen-share state in `callId`, shown to the others. */
export interface CallMediaFrame {
  /** Frame type. */
  type: 'call-media';
  /** The call. */
  callId: string;
  /** The microphone is on (not muted). */
  audio: boolean;
  /** The camera (or a shared screen) is sending. */
  video: boolean;
  /** A screen is shared instead of the camera. */
  screen: boolean;
}

/** Every call-control frame. */
export type CallFrame =
  | CallInviteFrame
  | CallRingingFrame
  | CallAcceptFrame
  | CallDeclineFrame
  | CallCancelFrame
  | CallBusyFrame
  | CallHangupFrame
  | CallMediaFrame;

/** The data-channel union, parameterised by how far its events have been checked. */
export type PeerFrameOf<E> =
  | HelloFrame
  | AuthFrame
  | IdentityFrame
  | EventsFrame<E>
  | SyncFrame
  | HaveFrame
  | ReadFrame
  | TypingFrame
  | ContactRequestFrame
  | ContactAcceptFrame
  | ContactDeclineFrame
  | RoomMoveFrame
  | RoomRemovedFrame
  | PingFrame
  | PongFrame
  | ByeFrame
  | CallFrame;

/** A frame we send. */
export type PeerFrame = PeerFrameOf<ChatEvent>;

/** A frame as received and parsed: its events still need `verifyEvent`. */
export type ParsedPeerFrame = PeerFrameOf<Unverified<ChatEvent>>;

/** The `type` tags of the data channel. */
export type PeerFrameType = PeerFrame['type'];

const timestampSchema = v.pipe(v.number(), v.finite());
const vectorSchema = v.pipe(
  v.record(fingerprintSchema, seqSchema),
  v.maxEntries(MAX_VECTOR_AUTHORS),
);

/** Schema of every data-channel frame (unknown fields are stripped, unknown types rejected). */
export const peerFrameSchema = v.variant('type', [
  v.object({ type: v.literal('hello'), protocol: v.literal(PROTOCOL_VERSION), nonce: nonceSchema }),
  v.object({ type: v.literal('auth'), mac: macSchema }),
  v.object({
    type: v.literal('identity'),
    key: spkiSchema,
    profile: v.object({ name: nameSchema, color: colorSchema }),
    sig: signatureSchema,
  }),
  v.object({
    type: v.literal('events'),
    events: v.pipe(v.array(chatEventSchema), v.maxLength(MAX_BATCH_EVENTS)),
    keys: v.pipe(v.record(fingerprintSchema, spkiSchema), v.maxEntries(MAX_BATCH_EVENTS)),
  }),
  v.object({ type: v.literal('sync'), vector: vectorSchema }),
  v.object({ type: v.literal('have'), vector: vectorSchema }),
  v.object({ type: v.literal('read'), hlc: hlcSchema }),
  v.object({ type: v.literal('typing') }),
  v.object({ type: v.literal('contact-request') }),
  v.object({ type: v.literal('contact-accept'), secret: roomSecretSchema }),
  v.object({ type: v.literal('contact-decline') }),
  v.object({
    type: v.literal('room-move'),
    secret: v.union([roomSecretSchema, ownedRoomSecretSchema]),
    removed: v.pipe(v.array(fingerprintSchema), v.minLength(1), v.maxLength(MAX_REMOVED_MEMBERS)),
    sig: signatureSchema,
    ownerKey: spkiSchema,
  }),
  v.object({ type: v.literal('room-removed') }),
  v.object({ type: v.literal('ping'), t: timestampSchema }),
  v.object({ type: v.literal('pong'), t: timestampSchema }),
  v.object({ type: v.literal('bye') }),
  v.object({
    type: v.literal('call-invite'),
    callId: callIdSchema,
    media: v.picklist(['audio', 'video']),
    group: v.boolean(),
  }),
  v.object({ type: v.literal('call-ringing'), callId: callIdSchema }),
  v.object({ type: v.literal('call-accept'), callId: callIdSchema }),
  v.object({ type: v.literal('call-decline'), callId: callIdSchema }),
  v.object({ type: v.literal('call-cancel'), callId: callIdSchema }),
  v.object({ type: v.literal('call-busy'), callId: callIdSchema }),
  v.object({ type: v.literal('call-hangup'), callId: callIdSchema, closing: v.boolean() }),
  v.object({
    type: v.literal('call-media'),
    callId: callIdSchema,
    audio: v.boolean(),
    video: v.boolean(),
    screen: v.boolean(),
  }),
]) satisfies v.GenericSchema<unknown, PeerFrameOf<Omit<ChatEvent, '__unverified'>>>;

/**
 * Parses one received data-channel frame (a JSON string). Returns null, with a warning, for
 * anything that is not a valid frame within the protocol limits; never throws.
 */
export function parsePeerFrame(raw: unknown): ParsedPeerFrame | null {
  if (typeof raw !== 'string') {
    log.warn('dropped peer frame: not a string but', typeof raw);
    return null;
  }
  if (!fitsFrameBytes(raw)) {
    log.warn(`dropped peer frame: larger than ${MAX_FRAME_BYTES} bytes`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    log.warn('dropped peer frame: not JSON');
    return null;
  }
  const result = v.safeParse(peerFrameSchema, json);
  if (!result.success) {
    log.warn('dropped peer frame:', describeIssues(result.issues));
    return null;
  }
  // The schema checked every format and limit; the events are branded unverified here.
  return result.output as ParsedPeerFrame;
}

/** Serialises a frame for the data channel. */
export function encodePeerFrame(frame: PeerFrame): string {
  return JSON.stringify(frame);
}

/**
 * Packs events into as few `events` frames as possible, in the given order, each within
 * MAX_BATCH_EVENTS and MAX_FRAME_BYTES, each carrying only the keys of its own authors. An event
 * too large for any frame (impossible within MAX_TEXT_CHARS) is skipped with an error logged.
 */
export function splitEventsIntoFrames(
  events: readonly ChatEvent[],
  keys: Readonly<Record<string, string>>,
): EventsFrame[] {
  // `{"type":"events","events":[…],"keys":{…}}`: sizes add up exactly as JSON.stringify writes it.
  const emptyFrameBytes = utf8ByteLength(encodePeerFrame({ type: 'events', events: [], keys: {} }));
  const keyEntryBytes = (author: string): number => {
    const spki = keys[author];
    return spki === undefined
      ? 0
      : utf8ByteLength(`${JSON.stringify(author)}:${JSON.stringify(spki)}`);
  };

  const frames: EventsFrame[] = [];
  let batch: ChatEvent[] = [];
  let batchKeys: Record<string, string> = {};
  let eventBytes = 0;
  let keysBytes = 0;
  let keyCount = 0;

  const frameBytes = (extraEvent: number, extraKey: number, addsKey: boolean): number => {
    const n = batch.length + 1;
    const k = keyCount + (addsKey ? 1 : 0);
    return (
      emptyFrameBytes +
      eventBytes +
      extraEvent +
      (n - 1) +
      keysBytes +
      extraKey +
      Math.max(0, k - 1)
    );
  };
  const flush = (): void => {
    if (batch.length > 0) frames.push({ type: 'events', events: batch, keys: batchKeys });
    batch = [];
    batchKeys = {};
    eventBytes = 0;
    keysBytes = 0;
    keyCount = 0;
  };

  for (const event of events) {
    const size = utf8ByteLength(JSON.stringify(event));
    for (let attempt = 0; attempt < 2; attempt++) {
      const addsKey = keys[event.author] !== undefined && !Object.hasOwn(batchKeys, event.author);
      const keySize = addsKey ? keyEntryBytes(event.author) : 0;
      const fits =
        batch.length < MAX_BATCH_EVENTS && frameBytes(size, keySize, addsKey) <= MAX_FRAME_BYTES;
      if (fits) {
        batch.push(event);
        eventBytes += size;
        if (addsKey) {
          batchKeys[event.author] = keys[event.author]!;
          keysBytes += keySize;
          keyCount++;
        }
        break;
      }
      if (batch.length === 0) {
        log.error('event too large for any frame, not sent:', event.conv, event.author, event.seq);
        break;
      }
      flush();
    }
  }
  flush();
  return frames;
}
