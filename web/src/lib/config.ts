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
