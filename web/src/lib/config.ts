/** Every tunable of the web app, units in the names (DESIGN §7, STYLE "Naming"). */

/** Path where the signal server mounts PeerServer (signal/src/server.ts). */
export const SIGNAL_PATH = '/peerjs';
/** Where the signal server hands out ICE servers (STUN/TURN); a 404 means "none configured". */
export const ICE_CONFIG_PATH = '/ice';

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
/** Longest display name a person can choose. */
export const MAX_DISPLAY_NAME_CHARS = 64;

/** sessionStorage key that keeps this tab's PeerJS ID and token across reloads and blips. */
export const PEER_SESSION_STORAGE_KEY = 'parley:peer-session';
