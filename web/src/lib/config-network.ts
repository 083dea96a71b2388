/**
 * Tunables of what loads after the first screen (the network, sync, calls, the outbox journal's
 * take-over), apart from config.ts so the first screen does not carry them (DESIGN §2).
 */

/**
 * Test hook, for end-to-end tests only: a localStorage key whose numeric value replaces
 * CALL_RING_TIMEOUT_MS (so a test need not wait 45 s). Nothing in the product sets it.
 */
export const TEST_HOOK_RING_TIMEOUT_KEY = 'parley:test-hook:ring-timeout-ms';

/** A link counts as drained when at most this much is buffered for sending. */
export const SEND_LOW_WATER_BYTES = 256 * 1024;

/** Path where the signal server mounts PeerServer (signal/src/server.ts). */
export const SIGNAL_PATH = '/peerjs';

/** A data connection with no frame for this long is dead. */
export const PEER_SILENCE_DEAD_MS = 15_000;

/** First and largest delay between redials of a member still in the room. */
export const REDIAL_BACKOFF_MIN_MS = 1_000;
export const REDIAL_BACKOFF_MAX_MS = 30_000;

/**
 * A peer whose chain digest of an author differs from ours is asked for that author's whole
 * chain at most this often per link and author (a hostile peer could otherwise make us fetch and
 * verify it again with every frame).
 */
export const CHAIN_ASK_INTERVAL_MS = 30_000;

/** A peer is asked again for a gap at most this often (a request within it waits for its end). */
export const GAP_RESYNC_INTERVAL_MS = 1_000;

/** sessionStorage key that keeps this tab's PeerJS ID and token across reloads and blips. */
export const PEER_SESSION_STORAGE_KEY = 'parley:peer-session';

/**
 * A media connection that dropped while the data link stays up is dialled again (a network
 * blip); one not back within this long counts as the participant having left.
 */
export const MEDIA_RECONNECT_GRACE_MS = 10_000;

/** Most events one sync answer sends; it then ends with `have` so the asker asks for the rest. */
export const MAX_SYNC_ANSWER_EVENTS = 50_000;

/** A 1:1 call that nobody answers within this long is a missed call. */
export const CALL_RING_TIMEOUT_MS = 45_000;

/**
 * Taking over a closed tab's outbox journal, at most this many of our own events stored in a room
 * since its entries were written are compared with them (a burst is at most a few hundred).
 */
export const MAX_JOURNAL_SCAN_EVENTS = 4_096;

/** How often a call's connection statistics are read for the quality indicator. */
export const CALL_STATS_INTERVAL_MS = 2_000;

/** A dial (connect → open) or a handshake (open → authenticated) that takes longer is abandoned. */
export const DIAL_TIMEOUT_MS = 15_000;

/** App-level ping on every authenticated data connection. */
export const PING_INTERVAL_MS = 5_000;

/** Signal socket reconnect backoff (exponential with jitter). */
export const SIGNAL_BACKOFF_MIN_MS = 1_000;
export const SIGNAL_BACKOFF_MAX_MS = 30_000;

/** After "room full", try to join again this often. */
export const ROOM_FULL_RETRY_MS = 30_000;
