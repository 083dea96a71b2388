/**
 * Durable conversation events (DESIGN §6): the wire and storage shape. The types are inferred from
 * the schema in event-schema.ts (only the network code loads it); this module holds no runtime
 * code of its own, so the store and the first screen can use the types for free.
 */
import type * as v from 'valibot';
import type { chatEventSchema, eventBodySchemas, eventRefSchema } from './event-schema';

export {
  MAX_CALL_DURATION_S,
  MAX_REACTION_CHARS,
  MAX_TOPIC_CHARS,
  PROTOCOL_VERSION,
} from './limits';

type Bodies = { [K in keyof typeof eventBodySchemas]: v.InferOutput<(typeof eventBodySchemas)[K]> };

/** Points at one event of the same conversation: its author and their seq. */
export type EventRef = v.InferOutput<typeof eventRefSchema>;
/** Body of a text message. */
export type TextBody = Bodies['text'];
/** Body of a reaction. */
export type ReactionBody = Bodies['reaction'];
/** Body of an edit. */
export type EditBody = Bodies['edit'];
/** Body of a deletion. */
export type DeleteBody = Bodies['delete'];
/** Body of a room's name and topic. */
export type RoomMetaBody = Bodies['room-meta'];
/** Body of a profile. */
export type ProfileBody = Bodies['profile'];
/** Body of a call-log line. */
export type CallLogBody = Bodies['call-log'];
/** Body of a file, image or voice message. */
export type FileBody = Bodies['file'];
/** How a call ended, as its call-log line says (DESIGN §8). */
export type CallOutcome = CallLogBody['outcome'];

/** What an event says: a discriminated union on `kind`, one member per kind. */
export type EventContent = { [K in keyof Bodies]: { kind: K; body: Bodies[K] } }[keyof Bodies];

/** The kinds of event this build understands. */
export type EventKind = EventContent['kind'];

/** An event as the wire schema reads it (signature not yet checked). */
type WireEvent = Extract<v.InferOutput<typeof chatEventSchema>, { kind: EventKind }>;

/** Fields every event carries besides its content and signature. */
export type EventEnvelope = Pick<WireEvent, 'v' | 'conv' | 'author' | 'seq' | 'hlc'>;

/** An event before signing: a `ChatEvent` without `sig`. */
export type UnsignedEvent = EventEnvelope & EventContent;

/** The signature part of an event. */
export interface EventSignature {
  /** base64url raw ECDSA P-256 signature over `canonicalEventBytes` (chat/events.ts). */
  sig: string;
  /** Type-level marker only, never present at runtime: keeps `Unverified<ChatEvent>` out. */
  readonly __unverified?: never;
}

/** A signed, verified (or locally authored) durable event of a kind this build knows. */
export type ChatEvent = UnsignedEvent & EventSignature;

/** A JSON value, as the body of an event of a kind this build does not know carries it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * An event of a kind this build does not know (DESIGN §6 "Forward compatibility"): a member
 * running a newer build wrote it. It is verified, stored, synced and relayed whole like any
 * other, and shown as "This message needs a newer version of Parley"; it never counts as unread
 * and never changes the list. Tell it from a `ChatEvent` with `isKnownEvent` (chat/events.ts).
 */
export interface FutureEvent extends EventEnvelope, EventSignature {
  /** A kind not in EVENT_KINDS (protocol/event-kinds.ts). */
  kind: string;
  /** Its body, as signed. */
  body: JsonValue;
}

/** Any event a store holds and sync relays: one this build knows, or one a newer build wrote. */
export type StoredEvent = ChatEvent | FutureEvent;

/** Any event before signing. */
export type UnsignedStoredEvent = UnsignedEvent | Omit<FutureEvent, 'sig' | '__unverified'>;

/**
 * A value parsed from the wire whose signature has not been checked yet. It is not assignable to
 * the verified type, so it cannot reach the store without going through `verifyEvent`.
 */
export type Unverified<T> = T extends unknown
  ? Omit<T, '__unverified'> & { readonly __unverified: true }
  : never;
