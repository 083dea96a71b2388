/**
 * Durable conversation events (DESIGN §6): the wire and storage shape. Their schema is in
 * event-schema.ts (only the network code loads it).
 *
 * A new kind (file, reaction, edit, delete, profile, room-meta, call-log) is one more member of
 * `EventContent` plus one more branch in `chatEventSchema`; `canonicalEventBytes` and storage need
 * no change, and exhaustive switches over `kind` will point at every place that must handle it.
 */

/** Version of the peer protocol, sent in `hello`; also the `v` of every event. */
export const PROTOCOL_VERSION = 1;

/** Points at one event of the same conversation: its author and their seq. */
export interface EventRef {
  /** The author's fingerprint. */
  author: string;
  /** Their seq. */
  seq: number;
}

/** Body of a text message. */
export interface TextBody {
  /** The message as typed, at most MAX_TEXT_CHARS; always rendered as text, never HTML. */
  text: string;
  /** The message this one answers (shown as a quote). */
  replyTo?: EventRef;
}

/** Body of a reaction: an emoji put on (or taken off) a message; the latest per author wins. */
export interface ReactionBody {
  /** The message reacted to. */
  target: EventRef;
  /** One emoji (at most MAX_REACTION_CHARS UTF-16 units). */
  emoji: string;
  /** True puts it on, false takes it off. */
  on: boolean;
}

/** Body of an edit: the new text of one of the author's own messages; the latest wins. */
export interface EditBody {
  /** The message edited (the same author's). */
  target: EventRef;
  /** Its new text. */
  text: string;
}

/** Body of a deletion: one of the author's own messages is gone for everyone (a tombstone). */
export interface DeleteBody {
  /** The message deleted (the same author's). */
  target: EventRef;
}

/** Body of a room's name and topic, set by any member; the latest in display order holds. */
export interface RoomMetaBody {
  /** The room's name (a display name: 1–MAX_NAME_CHARS characters, no control or direction characters). */
  name: string;
  /** What the room is about ('' for none; at most MAX_TOPIC_CHARS). */
  topic: string;
}

/**
 * Body of a profile: the author's display name and avatar colour, told to every conversation they
 * are in so members who never linked to them learn it too (DESIGN §4); the latest by clock holds.
 */
export interface ProfileBody {
  /** Display name (1–MAX_NAME_CHARS characters, no control or direction characters). */
  name: string;
  /** Avatar colour, "#rrggbb". */
  color: string;
}

/** How a call ended, as its call-log line says (DESIGN §8). */
export type CallOutcome = 'answered' | 'missed' | 'declined' | 'cancelled' | 'busy';

/** Body of a call-log line: one per call (see DESIGN §8 for who writes it). */
export interface CallLogBody {
  /** The call's ID (the history shows one line per ID, the first in display order). */
  callId: string;
  /** Voice or video. */
  media: 'audio' | 'video';
  /** How it ended. */
  outcome: CallOutcome;
  /** Seconds from answer to end (0 unless answered), at most MAX_CALL_DURATION_S. */
  durationS: number;
  /** A room call rather than a 1:1 call. */
  group: boolean;
}

/** The longest call a call log records (a week), in seconds. */
export const MAX_CALL_DURATION_S = 7 * 24 * 3600;

/** The longest room topic, in UTF-16 units. */
export const MAX_TOPIC_CHARS = 256;

/** What an event says: a discriminated union on `kind`, one member per kind. */
export type EventContent =
  | {
      /** A plain text message. */
      kind: 'text';
      /** Its body. */
      body: TextBody;
    }
  | { kind: 'reaction'; body: ReactionBody }
  | { kind: 'edit'; body: EditBody }
  | { kind: 'delete'; body: DeleteBody }
  | { kind: 'room-meta'; body: RoomMetaBody }
  | { kind: 'profile'; body: ProfileBody }
  | { kind: 'call-log'; body: CallLogBody };

/** The most UTF-16 units a reaction's emoji may have (a flag or a family is several). */
export const MAX_REACTION_CHARS = 16;

/** The kinds of event this build understands. */
export type EventKind = EventContent['kind'];

/** Fields every event carries besides its content and signature. */
export interface EventEnvelope {
  /** Event format version. */
  v: typeof PROTOCOL_VERSION;
  /** Conversation id: the 43-char room key. */
  conv: string;
  /** Author's identity fingerprint. */
  author: string;
  /** Per author per conversation: 1, 2, 3, … without gaps. */
  seq: number;
  /** Encoded hybrid logical clock (chat/hlc.ts); display order is (hlc, author, seq). */
  hlc: string;
}

/** An event before signing: a `ChatEvent` without `sig`. */
export type UnsignedEvent = EventEnvelope & EventContent;

/** The signature part of an event. */
export interface EventSignature {
  /** base64url raw ECDSA P-256 signature over `canonicalEventBytes` (chat/events.ts). */
  sig: string;
  /** Type-level marker only, never present at runtime: keeps `Unverified<ChatEvent>` out. */
  readonly __unverified?: never;
}

/** A signed, verified (or locally authored) durable event. */
export type ChatEvent = UnsignedEvent & EventSignature;

/**
 * A value parsed from the wire whose signature has not been checked yet. It is not assignable to
 * the verified type, so it cannot reach the store without going through `verifyEvent`.
 */
export type Unverified<T> = T extends unknown
  ? Omit<T, '__unverified'> & { readonly __unverified: true }
  : never;
