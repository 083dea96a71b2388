/**
 * Every frame Parley puts on the PeerJS signalling socket, defined once for the signal server and
 * the PWA (DESIGN §3): the `X-ROOM-*` room frames, `X-ICE` (TURN credentials for a live session),
 * `X-RELAY-REFUSED`, and the PeerJS frames the server relays (OFFER, ANSWER, CANDIDATE), which it
 * checks against these schemas before passing them on. Valibot schemas are the definition; the
 * types are inferred from them.
 *
 * Pure and shared: this module imports only valibot and the protocol limits (the server compiles
 * it with NodeNext resolution, hence the `.js` specifier), and uses no DOM or Node API.
 *
 * None of Parley's own frames carries `connectionId`: peerjs 1.5.5 parks any unknown frame that
 * has one in `_lostMessages` forever (lib/peer.ts `_handleMessage`).
 */
import * as v from 'valibot';
import {
  MAX_CONNECTION_ID_CHARS,
  MAX_ICE_FIELD_CHARS,
  MAX_ICE_SERVERS,
  MAX_ICE_URLS,
  MAX_OFFER_METADATA_DEPTH,
  MAX_PEERJS_BROWSER_CHARS,
  MAX_SIGNAL_LABEL_CHARS,
  MAX_SIGNAL_PEERS,
  MAX_SIGNAL_REASON_CHARS,
  ROOM_KEY_CHARS,
} from './limits.js';
import { MAX_CANDIDATE_CHARS, MAX_SDP_CHARS, MAX_SDP_MLINE_INDEX } from './signal-limits.js';
import { peerIdSchema, roomKeySchema, type PeerId, type RoomKey } from './ids.js';

// ---- Ids (ids.ts) -----------------------------------------------------------------------------

export { peerIdSchema, roomKeySchema, type PeerId, type RoomKey };

// ---- Room frames --------------------------------------------------------------------------------

/** Prefix shared by every room frame type. */
export const ROOM_FRAME_PREFIX = 'X-ROOM-';

const roomPayloadSchema = v.object({ room: roomKeySchema });

/** Client → server: join or leave a room (send only after the socket's OPEN, DESIGN §12). */
export const roomRequestSchema = v.variant('type', [
  /** Join `room`; answered with X-ROOM-PEERS, X-ROOM-FULL or X-ROOM-ERROR. */
  v.object({ type: v.literal('X-ROOM-JOIN'), payload: roomPayloadSchema }),
  /** Leave `room`; the remaining members get X-ROOM-LEFT. */
  v.object({ type: v.literal('X-ROOM-LEAVE'), payload: roomPayloadSchema }),
]);

/** A room request as the server accepts it (branded room key). */
export type RoomRequest = v.InferOutput<typeof roomRequestSchema>;

/** A room request as a client builds it. */
export type RoomRequestInput = v.InferInput<typeof roomRequestSchema>;

/** Why the server refused a room request (X-ROOM-ERROR `reason`). */
export const ROOM_ERROR_REASONS = ['bad-room', 'too-many-rooms'] as const;

/** One of {@link ROOM_ERROR_REASONS}. */
export type RoomErrorReason = (typeof ROOM_ERROR_REASONS)[number];

/** Server → client room frames. */
export const roomReplySchema = v.variant('type', [
  /** You are in `room`; `peers` were there before you (never yourself). Dial them. */
  v.object({
    type: v.literal('X-ROOM-PEERS'),
    payload: v.object({
      room: roomKeySchema,
      peers: v.pipe(v.array(peerIdSchema), v.maxLength(MAX_SIGNAL_PEERS)),
    }),
  }),
  /** `room` is at its member cap; you were not added. */
  v.object({ type: v.literal('X-ROOM-FULL'), payload: roomPayloadSchema }),
  /** `peer` joined `room`, which you are in. It will dial you. */
  v.object({
    type: v.literal('X-ROOM-JOINED'),
    payload: v.object({ room: roomKeySchema, peer: peerIdSchema }),
  }),
  /** `peer` left `room` (asked to, or its signalling socket went away). */
  v.object({
    type: v.literal('X-ROOM-LEFT'),
    payload: v.object({ room: roomKeySchema, peer: peerIdSchema }),
  }),
  /** A request was refused; `room` is null when the request had no usable room key. */
  v.object({
    type: v.literal('X-ROOM-ERROR'),
    payload: v.object({
      // Lenient on purpose: a newer server may report reasons (and room spellings) we do not know.
      room: v.nullable(v.pipe(v.string(), v.maxLength(ROOM_KEY_CHARS * 4))),
      reason: v.pipe(v.string(), v.maxLength(MAX_SIGNAL_REASON_CHARS)),
    }),
  }),
]);

/** A room frame as a client accepts it. */
export type RoomReply = v.InferOutput<typeof roomReplySchema>;

/** A room frame as the server builds it. */
export type RoomReplyInput = v.InferInput<typeof roomReplySchema>;

// ---- ICE servers (X-ICE) ----------------------------------------------------------------------

const iceFieldSchema = v.pipe(v.string(), v.maxLength(MAX_ICE_FIELD_CHARS));

/** One RTCIceServer entry: what RTCPeerConnection accepts, nothing else (unknown keys dropped). */
export const iceServerSchema = v.object({
  urls: v.union([
    iceFieldSchema,
    v.pipe(v.array(iceFieldSchema), v.nonEmpty(), v.maxLength(MAX_ICE_URLS)),
  ]),
  username: v.optional(iceFieldSchema),
  credential: v.optional(iceFieldSchema),
});

/** One ICE server entry. */
export type IceServer = v.InferOutput<typeof iceServerSchema>;

/**
 * Server → client, right after OPEN and again before the credentials lapse: the STUN/TURN servers
 * to use. TURN credentials are minted for this signalling session only and are short-lived. The
 * entries are checked one by one ({@link iceServerSchema}), so one bad entry costs only itself.
 */
export const iceFrameSchema = v.object({
  type: v.literal('X-ICE'),
  payload: v.object({
    iceServers: v.pipe(v.array(v.unknown()), v.maxLength(MAX_ICE_SERVERS)),
  }),
});

/** An `X-ICE` frame as the server builds it (its entries are {@link IceServer}s). */
export type IceFrameInput = v.InferInput<typeof iceFrameSchema>;

// ---- Relayed PeerJS frames ------------------------------------------------------------------

/** The PeerJS frame types the server relays from one peer to another. */
export const RELAY_FRAME_TYPES = ['OFFER', 'ANSWER', 'CANDIDATE'] as const;

/** One of {@link RELAY_FRAME_TYPES}. */
export type RelayFrameType = (typeof RELAY_FRAME_TYPES)[number];

/**
 * True when `value` is plain JSON data (null, booleans, finite numbers, strings, arrays, plain
 * objects) nested at most `maxDepth` levels (a scalar is depth 0). Iterative: a hostile value
 * cannot exhaust the stack here, nor later in `JSON.stringify`.
 */
export function isBoundedJson(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const current = item.value;
    if (current === null || typeof current === 'string' || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return false;
      continue;
    }
    if (typeof current !== 'object') return false;
    if (item.depth >= maxDepth) return false;
    const isArray = Array.isArray(current);
    if (!isArray && Object.getPrototypeOf(current) !== Object.prototype) return false;
    for (const child of isArray ? current : Object.values(current)) {
      stack.push({ value: child, depth: item.depth + 1 });
    }
  }
  return true;
}

const connectionIdSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(MAX_CONNECTION_ID_CHARS),
  v.regex(/^[A-Za-z0-9_-]+$/, 'connectionId: invalid characters'),
);

const labelSchema = v.pipe(v.string(), v.maxLength(MAX_SIGNAL_LABEL_CHARS));

/** What PeerJS clients older than 1.4 add to offers and answers. */
const browserSchema = v.optional(v.pipe(v.string(), v.maxLength(MAX_PEERJS_BROWSER_CHARS)));

/** The application's `metadata`: any JSON, shallow (PeerJS hands it to the other side as is). */
const metadataSchema = v.optional(
  v.custom<unknown>(
    (value) => isBoundedJson(value, MAX_OFFER_METADATA_DEPTH),
    'metadata: expected shallow JSON',
  ),
);

function sessionDescriptionSchema<T extends 'offer' | 'answer'>(type: T) {
  return v.object({ type: v.literal(type), sdp: v.pipe(v.string(), v.maxLength(MAX_SDP_CHARS)) });
}

/** Every serializer PeerJS 1.5.5 knows (`Peer._serializers`); another one crashes the receiver. */
const SERIALIZATIONS = ['default', 'raw', 'json', 'binary', 'binary-utf8', 'MsgPack'] as const;

/** OFFER payload for a data connection (lib/negotiator.ts `_makeOffer`). */
const dataOfferPayloadSchema = v.object({
  sdp: sessionDescriptionSchema('offer'),
  type: v.literal('data'),
  connectionId: connectionIdSchema,
  label: labelSchema,
  reliable: v.boolean(),
  serialization: v.picklist(SERIALIZATIONS),
  metadata: metadataSchema,
  browser: browserSchema,
});

/** OFFER payload for a media connection. */
const mediaOfferPayloadSchema = v.object({
  sdp: sessionDescriptionSchema('offer'),
  type: v.literal('media'),
  connectionId: connectionIdSchema,
  metadata: metadataSchema,
  browser: browserSchema,
});

const connectionTypeSchema = v.picklist(['data', 'media']);

/** ANSWER payload (lib/negotiator.ts `_makeAnswer`). */
const answerPayloadSchema = v.object({
  sdp: sessionDescriptionSchema('answer'),
  type: connectionTypeSchema,
  connectionId: connectionIdSchema,
  browser: browserSchema,
});

/** RTCIceCandidate.toJSON(), as PeerJS sends it (lib/negotiator.ts `onicecandidate`). */
const iceCandidateSchema = v.object({
  candidate: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CANDIDATE_CHARS)),
  sdpMid: v.nullish(labelSchema),
  sdpMLineIndex: v.nullish(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SDP_MLINE_INDEX)),
  ),
  usernameFragment: v.nullish(labelSchema),
});

/** CANDIDATE payload. */
const candidatePayloadSchema = v.object({
  candidate: iceCandidateSchema,
  type: connectionTypeSchema,
  connectionId: connectionIdSchema,
});

/**
 * A signalling frame one peer sends another through the server, as the server accepts it: the
 * shapes peerjs 1.5.5 sends, every string bounded, unknown keys dropped (so only these travel).
 * `src` is the server's to set.
 */
export const relayFrameSchema = v.variant('type', [
  v.object({
    type: v.literal('OFFER'),
    dst: peerIdSchema,
    payload: v.variant('type', [dataOfferPayloadSchema, mediaOfferPayloadSchema]),
  }),
  v.object({ type: v.literal('ANSWER'), dst: peerIdSchema, payload: answerPayloadSchema }),
  v.object({ type: v.literal('CANDIDATE'), dst: peerIdSchema, payload: candidatePayloadSchema }),
]);

/** A relayed frame that has passed {@link relayFrameSchema}. */
export type RelayFrame = v.InferOutput<typeof relayFrameSchema>;

/** Why the server did not pass a relayed frame on (X-RELAY-REFUSED `reason`). */
export const RELAY_REFUSAL_REASONS = [
  /** Larger than the server's signalling frame limit. */
  'too-large',
  /** JSON nested deeper than any PeerJS frame is. */
  'too-deep',
  /** Not the shape PeerJS sends (see {@link relayFrameSchema}). */
  'invalid',
  /** The destination is absent and the queue for it (or from you, or in all) is full. */
  'queue-full',
  /** The destination is not reading what it is sent. */
  'busy',
] as const;

/** One of {@link RELAY_REFUSAL_REASONS}. */
export type RelayRefusalReason = (typeof RELAY_REFUSAL_REASONS)[number];

/**
 * Server → client: a frame you sent for another peer was dropped, and why. `dst` is null when the
 * frame was refused before its destination could be read.
 */
export const relayRefusedFrameSchema = v.object({
  type: v.literal('X-RELAY-REFUSED'),
  payload: v.object({
    dst: v.nullable(peerIdSchema),
    reason: v.picklist(RELAY_REFUSAL_REASONS),
  }),
});

/** An `X-RELAY-REFUSED` frame as the server builds it. */
export type RelayRefusedFrameInput = v.InferInput<typeof relayRefusedFrameSchema>;
