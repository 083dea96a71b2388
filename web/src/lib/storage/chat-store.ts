/**
 * The local store (DESIGN §1, §10): IndexedDB is the source of truth, and this interface is all
 * the rest of the app knows of it. The implementation is storage/idb-store.ts.
 *
 * Writes that can fail for reasons the user must hear about (a full disk) return a StoreResult;
 * they never throw for those and never fail silently. After each committed write the store tells
 * its subscribers what changed (`subscribe`, `StoreChange`).
 */
import type { DeviceLink } from '../crypto/device';
import type { ChatEvent, EventContent, StoredEvent, UnsignedEvent } from '../protocol/events';
import type { VersionVector } from '../domain/version-vector';
import type { AuthorUsage } from '../domain/budgets';
import type { Fingerprint, RoomKey, RoomSecret } from '../protocol/ids';

/** This browser profile's identity, as stored (one record, id 'self'). */
export interface StoredIdentity {
  /** Always 'self'. */
  id: 'self';
  /** Non-extractable ECDSA P-256 private key (IndexedDB can store it; nobody can export it). */
  privateKey: CryptoKey;
  /** The matching public key. */
  publicKey: CryptoKey;
  /** base64url SPKI of the public key. */
  spki: string;
  /** base32(SHA-256(SPKI)). */
  fingerprint: Fingerprint;
  /** Display name. */
  name: string;
  /** Avatar colour, "#rrggbb". */
  color: string;
  /** When the identity was made (ms since epoch). */
  createdAt: number;
  /**
   * A browser restored from a backup (DESIGN §4 "Devices"): the keys above are this device's,
   * and these links lead from the identity to them. Absent: the keys are the identity's own.
   */
  devices?: DeviceLink[];
  /**
   * With `devices`: the fingerprints of the keys before this device (the identity first), whose
   * events are the person's own too.
   */
  earlierKeys?: Fingerprint[];
}

/** A member of a conversation, as last seen. */
export interface Member {
  /** Identity fingerprint (the record's key inside `Conversation.members`). */
  fingerprint: Fingerprint;
  /** Their public key, base64url SPKI (its hash is the fingerprint). */
  spki: string;
  /** Display name they announced. */
  name: string;
  /** Avatar colour they announced. */
  color: string;
  /** Last time we were connected to them (ms since epoch). */
  lastSeenAt: number;
  /** Clock of the `profile` event that set `name` and `color` (absent: none seen yet). */
  profileHlc?: string;
  /** A device of an identity (DESIGN §4 "Devices"): the identity, as its links proved. */
  root?: Fingerprint | undefined;
}

/**
 * A person saved as a contact (DESIGN §5): their key is pinned, and the two share a pair secret
 * whose room is their direct chat.
 */
export interface Contact {
  /** Identity fingerprint (the record's key). */
  fingerprint: Fingerprint;
  /** Their public key, base64url SPKI, pinned: a different key under their name is refused. */
  spki: string;
  /** Display name they announced when the contact was made (members update it later). */
  name: string;
  /** Avatar colour they announced. */
  color: string;
  /** The room key of the direct chat (its conversation's id). */
  conv: RoomKey;
  /** When the contact was made (ms since epoch). */
  addedAt: number;
  /** The person compared safety numbers with them and marked them verified. */
  verified?: boolean;
  /** Blocked: they cannot reach us (their links are refused in every room). */
  blocked?: boolean;
}

/** A conversation: a room, or the direct chat with a contact (a two-member room). */
export interface Conversation {
  /** The room key (43 chars); also the `conv` of its events. */
  id: RoomKey;
  /** A room anyone with its link may join, or the direct chat with one contact. */
  kind: 'room' | 'direct';
  /** For a direct chat: the contact's fingerprint (the only other member it admits). */
  contact?: Fingerprint;
  /** The room secret (base64url, from the link fragment); never leaves this device but in links. */
  secret: RoomSecret;
  /** Title shown in the list: a room's name (its latest `room-meta`), a contact's name. */
  title: string;
  /** A room's topic (its latest `room-meta`). */
  topic?: string;
  /** Order key (`<hlc> <author>`) of the `room-meta` that set `title` and `topic`; later wins. */
  metaHlc?: string;
  /** When it was created or joined here (ms since epoch). */
  createdAt: number;
  /** When an event was last stored in it (ms since epoch); the list sorts by this, newest first. */
  lastActivityAt: number;
  /** One-line preview of the latest event in display order. */
  lastPreview: string;
  /** Events stored since the last `markRead` that were not authored by us. */
  unread: number;
  /** Members by fingerprint. */
  members: Record<Fingerprint, Member>;
  /** author → highest contiguous seq stored here. */
  vector: VersionVector;
  /**
   * This conversation's hybrid logical clock (encoded HLC), moved by its own and its received
   * events only, so one room cannot move another's time (absent in old records: the clock of its
   * newest event).
   */
  clock?: string;
  /**
   * What each author put into this room as this member counted it, against the per-author
   * budgets (domain/budgets.ts; absent in old records: counted from then on).
   */
  usage?: Record<Fingerprint, AuthorUsage>;
  /**
   * Seqs whose author signed two different events (equivocation), per author: shown to nobody,
   * and the conversation warns about the author (at most MAX_DISPUTED_SEQS each).
   */
  disputes?: Record<Fingerprint, number[]>;
  /** Highest own seq handed to at least one member's link (absent in old records: 0). */
  sentUpTo?: number;
  /** The last version vector each member told us (`sync`/`have`), merged per author. */
  memberVectors?: Record<Fingerprint, VersionVector>;
  /** The latest read marker (encoded HLC) each member told us (`read`). */
  readMarkers?: Record<Fingerprint, string>;
  /** Our own read marker here: the clock of the newest event shown while we looked. */
  readUpTo?: string;
  /** Muted by the person: its unread count stays out of the total (absent: false). */
  muted?: boolean;
  /** Archived by the person: listed apart, after the others (absent: false). */
  archived?: boolean;
  /**
   * A room's owner (its creator's fingerprint), from the link it was joined with: only the owner
   * may remove members, and only a move the owner signed is followed (DESIGN §5).
   */
  owner?: Fingerprint;
  /** The room moved to a new secret when a member was removed; this one is kept as history. */
  movedTo?: RoomMove;
  /** The room (conversation id) this one continues after a member was removed. */
  previous?: RoomKey;
  /** The owner removed us from this room: it is history, and no longer joined. */
  removedFromRoom?: boolean;
}

/**
 * A room's move to a new secret, which leaves out removed members (DESIGN §5). Signed by the
 * owner, so any remaining member can pass it on to those who were away.
 */
export interface RoomMove {
  /** The new room's secret (its room key is the new conversation's id). */
  secret: RoomSecret;
  /** Fingerprints of the members left out. */
  removed: Fingerprint[];
  /** The owner's signature (base64url) over `roomMoveBytes(from, secret, removed)`. */
  sig: string;
  /** The owner's public key (base64url SPKI), for members who never met the owner. */
  ownerKey: string;
}

/** The flags a person sets on a conversation; absent ones stay as they are. */
export interface ConversationFlags {
  /** Keep its unread count out of the total (title, app badge). */
  muted?: boolean;
  /** List it under "Archived" instead of with the others. */
  archived?: boolean;
  /** The owner removed us from the room. */
  removedFromRoom?: boolean;
}

/** What peers told us about delivery in one conversation; every field only ever advances. */
export interface DeliveryUpdate {
  /** An own seq handed to a member's link. */
  sentUpTo?: number;
  /** Member fingerprint → the vector they told us. */
  vectors?: Record<Fingerprint, VersionVector>;
  /** Member fingerprint → the read marker they told us. */
  readMarkers?: Record<Fingerprint, string>;
}

/** How much of a conversation one author wrote (`authorStats`). */
export interface AuthorStats {
  /** Events of theirs stored. */
  events: number;
  /** Their size as JSON, in UTF-8 bytes. */
  bytes: number;
}

/** Why a store operation failed. */
export interface StoreError {
  /** 'quota': storage is full (show it); 'conflict': lost a race too often; 'not-found': no such record. */
  kind: 'quota' | 'conflict' | 'not-found' | 'unknown';
  /** Developer-facing detail (not for display as is). */
  message: string;
}

/** The outcome of a store write. */
export type StoreResult<T> = { ok: true; value: T } | { ok: false; error: StoreError };

/**
 * What one committed write changed (DESIGN §10). Emitted after the transaction commits, in commit
 * order; a write that failed or changed nothing emits nothing. The records carried are as stored.
 */
export type StoreChange =
  /** The identity record was written (created, renamed). */
  | { type: 'identity' }
  /**
   * Events newly stored in `conv` (own or received; duplicates left out), in display order.
   * `more`: more of a history flooding in is already here and follows at once (the sync engine
   * holds further frames of the link), so a view may wait for it rather than render this state.
   */
  | { type: 'events'; conv: RoomKey; events: StoredEvent[]; more?: boolean }
  /**
   * A conversation record was created or changed (activity, preview, unread, members, meta,
   * flags, delivery, read marker, move). Carries the stored record.
   */
  | { type: 'conversation'; conversation: Conversation }
  /** A conversation and its events were deleted. */
  | { type: 'conversation-deleted'; conv: RoomKey }
  /**
   * One author's events in `conv` are gone: all of them (`deleteAuthorEvents`), or those of
   * `seqs` (`markDisputed`).
   */
  | { type: 'events-deleted'; conv: RoomKey; author: Fingerprint; seqs?: number[] }
  /** A contact was added or changed. Carries the stored record. */
  | { type: 'contact'; contact: Contact }
  /** A setting was written (`putSetting`; the store's own bookkeeping, such as the clock, is not). */
  | { type: 'setting'; key: string };

/** Options for `listEvents`. */
export interface ListEventsOptions {
  /** Return only the newest `limit` events (still in ascending order). */
  limit?: number;
  /** Only events whose hlc is strictly before this encoded HLC (for paging back). */
  beforeHlc?: string;
  /** Only events strictly before this one in display order (exact paging even when HLCs tie). */
  before?: Pick<ChatEvent, 'hlc' | 'author' | 'seq'>;
}

/** The app's view of local storage. */
export interface ChatStore {
  /** This profile's identity, if one was made. */
  getIdentity(): Promise<StoredIdentity | undefined>;
  /** Saves the identity (and takes its fingerprint as "self" for unread counting). */
  putIdentity(i: StoredIdentity): Promise<StoreResult<void>>;
  /** All conversations, most recent activity first. */
  listConversations(): Promise<Conversation[]>;
  /** One conversation by id. */
  getConversation(id: RoomKey): Promise<Conversation | undefined>;
  /**
   * Another tab of this profile committed a change (the tab bus): what this store remembers of
   * its records is read again.
   */
  noteOtherTabChange(): void;
  /** Creates or replaces a conversation record. */
  putConversation(c: Conversation): Promise<StoreResult<void>>;
  /**
   * Adds a conversation only if none has its id (checked and written in one transaction), so
   * two first opens of one room cannot reset each other's vector or members; the stored record.
   */
  createConversation(c: Conversation): Promise<StoreResult<Conversation>>;
  /** Adds or replaces one member of a conversation. */
  upsertMember(conv: RoomKey, m: Member): Promise<StoreResult<void>>;
  /**
   * Stores a new event of ours: allocates the next seq and HLC, signs outside the transaction,
   * then writes it and updates the conversation atomically (retrying if the seq was taken).
   */
  appendOwnEvent(args: {
    conv: RoomKey;
    author: Fingerprint;
    content: EventContent;
    sign: (e: UnsignedEvent) => Promise<ChatEvent>;
    nowMs: number;
  }): Promise<StoreResult<ChatEvent>>;
  /**
   * Stores several new events of ours, in order, as one write: consecutive seqs and rising
   * clocks, signed side by side outside the transaction (what a burst of sends costs once).
   */
  appendOwnEvents(args: {
    conv: RoomKey;
    author: Fingerprint;
    contents: EventContent[];
    sign: (e: UnsignedEvent) => Promise<ChatEvent>;
    nowMs: number;
  }): Promise<StoreResult<ChatEvent[]>>;
  /**
   * Stores verified remote events, ignoring duplicates and events of unknown conversations; the
   * newly stored ones. Vectors, activity, preview, unread and the clock advance in the same
   * transaction. `more`: more of the same history follows at once (told in the change notice).
   */
  addEvents(
    events: StoredEvent[],
    nowMs: number,
    more?: boolean,
  ): Promise<StoreResult<StoredEvent[]>>;
  /**
   * Which conversations the person is reading right now: what `addEvents` stores into them does
   * not count as unread, so an open room's count never flickers up and back down (and marking it
   * read needs no write).
   */
  setReading(isReading: (conv: RoomKey) => boolean): void;
  /**
   * Loads the code that stores received events, which stays off the first screen. Called when the
   * network starts: a signal server that goes away later (it serves the code) must not keep
   * events that arrive over links that still work from being stored.
   */
  prepareReceiving(): Promise<void>;
  /**
   * Loads the code that writes our own events, which stays off the first screen. Called once
   * the app is ready (the outbox), so the first message sent does not wait for it; a write loads
   * it too if it is not there yet.
   */
  prepareSending(): Promise<void>;
  /** A conversation's events in ascending display order (the newest `limit` when given). */
  listEvents(conv: RoomKey, opts?: ListEventsOptions): Promise<StoredEvent[]>;
  /**
   * One author's events in a conversation with `from ≤ seq ≤ to`, ascending by seq, at most
   * `limit` of them (for answering a peer's sync).
   */
  listAuthorEvents(
    conv: RoomKey,
    author: Fingerprint,
    from: number,
    to: number,
    limit: number,
  ): Promise<StoredEvent[]>;
  /**
   * Per author, how many events of theirs `conv` holds and their size in bytes (as JSON), for
   * the members list, without those `isCounted` says are counted elsewhere (read in batches:
   * events stored meanwhile may or may not be read).
   */
  authorStats(
    conv: RoomKey,
    isCounted?: (author: Fingerprint, seq: number) => boolean,
  ): Promise<Record<Fingerprint, AuthorStats>>;
  /**
   * Deletes every event `author` wrote in `conv` on this device, keeping their ids (tombstones)
   * so sync never brings them back; the number deleted. Their budget is not given back.
   */
  deleteAuthorEvents(conv: RoomKey, author: Fingerprint): Promise<StoreResult<number>>;
  /**
   * Records that `author` signed two different events with `seq` in `conv`: the stored one is
   * replaced by a tombstone (shown to nobody, never sent on) and the seq joins the disputes; true
   * when it was not known yet.
   */
  markDisputed(conv: RoomKey, author: Fingerprint, seq: number): Promise<StoreResult<boolean>>;
  /** Sets the unread count to 0. */
  markRead(conv: RoomKey): Promise<void>;
  /**
   * Merges what peers told us about delivery into the conversation in one transaction (sentUpTo
   * and markers only rise, vectors merge per author); the stored record, or undefined when there
   * is no such conversation. Never read-modify-write a whole record for this: a stale copy would
   * undo what others wrote meanwhile.
   */
  recordDelivery(
    conv: RoomKey,
    update: DeliveryUpdate,
  ): Promise<StoreResult<Conversation | undefined>>;
  /**
   * Advances our own read marker to `hlc` if it is later; true when it moved (so peers must hear
   * it).
   */
  advanceReadMarker(conv: RoomKey, hlc: string): Promise<StoreResult<boolean>>;
  /** Every saved contact (unsorted). */
  listContacts(): Promise<Contact[]>;
  /**
   * Saves a new contact and its direct chat in one transaction. A contact already saved under
   * the fingerprint with the same key is kept as it is (its record is returned); one with a
   * different key is a 'conflict' (the pinned key wins).
   */
  addContact(contact: Contact, direct: Conversation): Promise<StoreResult<Contact>>;
  /** Changes a contact's verified / blocked marks; the new record (undefined: no such contact). */
  updateContact(
    fingerprint: Fingerprint,
    change: Pick<Contact, 'verified' | 'blocked'>,
  ): Promise<StoreResult<Contact | undefined>>;
  /** Deletes a conversation and all its events. */
  deleteConversation(id: RoomKey): Promise<void>;
  /** A setting's value, if set. */
  getSetting<T>(key: string): Promise<T | undefined>;
  /** Sets a setting (any structured-cloneable value). */
  putSetting(key: string, value: unknown): Promise<StoreResult<void>>;
  /** Closes the database connection; later calls fail. */
  close(): void;
  /**
   * Calls `listener` after every committed write with what it changed (an events write: the
   * `events` notice, then the `conversation` one); returns the unsubscribe. A listener that
   * throws is logged and does not keep the others from hearing.
   */
  subscribe(listener: (change: StoreChange) => void): () => void;
  /**
   * Sets a conversation's muted/archived flags in one transaction (nothing else in the record is
   * touched); the stored record, or 'not-found'.
   */
  setConversationFlags(conv: RoomKey, flags: ConversationFlags): Promise<StoreResult<Conversation>>;
  /**
   * Records a room's move and adds the room it moved to (unless known), in one transaction. A
   * room moves once: a second move is ignored and the first one's record returned.
   */
  moveRoom(from: RoomKey, move: RoomMove, next: Conversation): Promise<StoreResult<Conversation>>;
}

/** A successful StoreResult. */
export function storeOk<T>(value: T): StoreResult<T> {
  return { ok: true, value };
}

/** A failed StoreResult. */
export function storeErr<T = never>(kind: StoreError['kind'], message: string): StoreResult<T> {
  return { ok: false, error: { kind, message } };
}

/** Thrown by the `Promise<void>` methods (markRead, deleteConversation) when they fail. */
export class StoreFailure extends Error {
  /** What went wrong, classified. */
  readonly storeError: StoreError;

  /** Wraps a classified store error. */
  constructor(storeError: StoreError) {
    super(`store ${storeError.kind}: ${storeError.message}`);
    this.name = 'StoreFailure';
    this.storeError = storeError;
  }
}
