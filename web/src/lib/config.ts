/** Every tunable of the web app, units in the names (DESIGN §7, STYLE "Naming"). */

/** Path where the signal server mounts PeerServer (signal/src/server.ts). */
export const SIGNAL_PATH = '/peerjs';

/** App-level ping on every authenticated data connection. */
export const PING_INTERVAL_MS = 5_000;
/** A data connection with no frame for this long is dead. */
export const PEER_SILENCE_DEAD_MS = 15_000;
/** A dial (connect → open) or a handshake (open → authenticated) that takes longer is abandoned. */
export const DIAL_TIMEOUT_MS = 15_000;
/** First and largest delay between redials of a member still in the room. */
export const REDIAL_BACKOFF_MIN_MS = 1_000;
export const REDIAL_BACKOFF_MAX_MS = 30_000;
/** Signal socket reconnect backoff (exponential with jitter). */
export const SIGNAL_BACKOFF_MIN_MS = 1_000;
export const SIGNAL_BACKOFF_MAX_MS = 30_000;

/** How many recent messages a conversation view loads at first. */
export const MESSAGE_PAGE_SIZE = 200;
/**
 * Opening a room, its history waits until the room's dials have made their offers (connect
 * first, DESIGN §7), but never longer than this.
 */
export const HISTORY_DIAL_WAIT_MAX_MS = 250;
/**
 * Taking over a closed tab's outbox journal, at most this many of our own events stored in a room
 * since its entries were written are compared with them (a burst is at most a few hundred).
 */
export const MAX_JOURNAL_SCAN_EVENTS = 4_096;

/** sessionStorage key that keeps this tab's PeerJS ID and token across reloads and blips. */
export const PEER_SESSION_STORAGE_KEY = 'parley:peer-session';

/** Dials that may be opening at once (each sends an offer and ICE candidates via the server). */
export const MAX_CONCURRENT_DIALS = 4;
/** After "room full", try to join again this often. */
export const ROOM_FULL_RETRY_MS = 30_000;
/** A link counts as drained when at most this much is buffered for sending. */
export const SEND_LOW_WATER_BYTES = 256 * 1024;

/** Most events one sync answer sends; it then ends with `have` so the asker asks for the rest. */
export const MAX_SYNC_ANSWER_EVENTS = 50_000;
/** A peer is asked again for a gap at most this often (a request within it waits for its end). */
export const GAP_RESYNC_INTERVAL_MS = 1_000;
/** New events of a room are announced (`have`) at most this often; announcements coalesce. */
export const HAVE_THROTTLE_MS = 250;

// ---- Hostile members (DESIGN §6 "Hostile members") ------------------------------------------
/**
 * How far ahead of our wall clock a received event may be stamped. One stamped further ahead is
 * not stored yet (it is signed, so its time cannot be changed) and a conversation's clock never
 * follows a remote one further than this. Honest clocks differ by seconds; a few minutes leave
 * room for a badly set phone.
 */
export const MAX_CLOCK_DRIFT_MS = 5 * 60_000;
/**
 * Most events dated too far ahead that the sync engine remembers (to not ask for them again
 * until they are due); beyond it the oldest is forgotten, which only costs a resend.
 */
export const MAX_DEFERRED_EVENTS = 256;
/**
 * Most bytes (events as JSON) one author may put into one room, as every member counts them when
 * storing and so relaying: about 30,000 ordinary messages, or 1,000 of the longest. Events over
 * it are refused for good (their ids kept, so sync does not bring them back); deleting an author's
 * messages does not give the budget back.
 */
export const AUTHOR_STORAGE_BUDGET_BYTES = 8 * 1024 * 1024;
/**
 * Most bytes one author may put into one room per AUTHOR_RATE_WINDOW_MS of their own (signed)
 * clock. Generous for a person (the history bench writes 10,000 messages, ~3 MB, in 5 s), it
 * keeps one member from filling the others' disks in a burst.
 */
export const AUTHOR_RATE_BUDGET_BYTES = 4 * 1024 * 1024;
/**
 * A peer whose chain digest of an author differs from ours is asked for that author's whole
 * chain at most this often per link and author (a hostile peer could otherwise make us fetch and
 * verify it again with every frame).
 */
export const CHAIN_ASK_INTERVAL_MS = 30_000;
/** Most disputed seqs (equivocation) a conversation records per author; the rest stay hidden too. */
export const MAX_DISPUTED_SEQS = 256;
/** The window of AUTHOR_RATE_BUDGET_BYTES, by the events' own clocks. */
export const AUTHOR_RATE_WINDOW_MS = 60_000;
/** How many of an author's newest rate windows a room remembers (older ones are not checked). */
export const AUTHOR_RATE_WINDOWS_KEPT = 8;

/** While the person types, a room's members are told (`typing`) at most this often. */
export const TYPING_SEND_INTERVAL_MS = 3_000;
/** A member is shown as typing for this long after their latest `typing` frame. */
export const TYPING_SHOW_MS = 6_000;

/** How often lists showing times ("14:05", "Mon", "last seen …") re-read the clock. */
export const CLOCK_TICK_MS = 60_000;
/** How often an open app asks the server whether a new version exists (also on becoming visible). */
export const SW_UPDATE_CHECK_INTERVAL_MS = 60 * 60_000;

/**
 * The version shown in Settings: package.json's, or PARLEY_VERSION at build time (vite.config.ts
 * `define`); 'dev' where nothing defines it (unit tests).
 */
export const APP_VERSION: string =
  typeof __PARLEY_VERSION__ === 'string' ? __PARLEY_VERSION__ : 'dev';

// ---- Calls (DESIGN §8) ----------------------------------------------------------------------
/** A 1:1 call that nobody answers within this long is a missed call. */
export const CALL_RING_TIMEOUT_MS = 45_000;
/**
 * Test hook, for end-to-end tests only: a localStorage key whose numeric value replaces
 * CALL_RING_TIMEOUT_MS (so a test need not wait 45 s). Nothing in the product sets it.
 */
export const TEST_HOOK_RING_TIMEOUT_KEY = 'parley:test-hook:ring-timeout-ms';
/** Most people in one room call (a full mesh of media connections). */
export const MAX_CALL_PARTICIPANTS = 6;
/** How often a call's connection statistics are read for the quality indicator. */
export const CALL_STATS_INTERVAL_MS = 2_000;
/**
 * A media connection that dropped while the data link stays up is dialled again (a network
 * blip); one not back within this long counts as the participant having left.
 */
export const MEDIA_RECONNECT_GRACE_MS = 10_000;
