/**
 * Protocol limits, enforced on receive by the parsers (DESIGN §6) and respected on send. Changing
 * one is a protocol change: peers running the old value will drop what exceeds it.
 */

/** Maximum length of a text message body, in UTF-16 code units (what `String.length` counts). */
export const MAX_TEXT_CHARS = 8000;

/** Maximum size of one data-channel or signal frame, in UTF-8 bytes. */
export const MAX_FRAME_BYTES = 65_536;

/** Maximum number of events in one `events` frame. */
export const MAX_BATCH_EVENTS = 256;

/**
 * Maximum length of a display name (a person's or a room's), in UTF-16 code units: what peers
 * accept on the wire and what the name fields let a person type.
 */
export const MAX_NAME_CHARS = 64;

/** Length of a room key (base64url of a SHA-256 digest), which is also a conversation id. */
export const ROOM_KEY_CHARS = 43;

/** Length of an identity fingerprint (base32 of a SHA-256 digest, unpadded). */
export const FINGERPRINT_CHARS = 52;

/** Length of an ECDSA P-256 signature (64 raw bytes) in base64url. */
export const SIGNATURE_CHARS = 86;

/** Length of a handshake nonce (32 random bytes) in base64url. */
export const NONCE_CHARS = 43;

/** Length of an HMAC-SHA-256 tag (32 bytes) in base64url. */
export const MAC_CHARS = 43;

/** Upper bound for a base64url SPKI public key (P-256 SPKI is 91 bytes = 122 chars). */
export const MAX_SPKI_CHARS = 256;

/** Upper bound for a PeerJS peer id as relayed by the signal server. */
export const MAX_PEER_ID_CHARS = 128;

/** Upper bound for the peer list in one `X-ROOM-PEERS` frame (far above the room cap). */
export const MAX_SIGNAL_PEERS = 256;

/** Upper bound for the free-text reason of an `X-ROOM-ERROR` frame. */
export const MAX_SIGNAL_REASON_CHARS = 256;

/** Longest chain of device links (identity → device → …) a key may present (crypto/device.ts). */
export const MAX_DEVICE_CHAIN = 4;

/** Most authors a version vector in a `sync` frame may list (fits well within MAX_FRAME_BYTES). */
export const MAX_VECTOR_AUTHORS = 512;

/**
 * Most authors whose chain digests one `sync` or `have` frame carries (domain/equivocation.ts);
 * a room has at most 16 members, so its history rarely has more authors.
 */
export const MAX_CHAIN_AUTHORS = 64;

/** Version of the peer protocol, sent in `hello`; also the `v` of every event. */
export const PROTOCOL_VERSION = 1;

/** The longest call a call log records (a week), in seconds. */
export const MAX_CALL_DURATION_S = 7 * 24 * 3600;

/** The longest room topic, in UTF-16 units. */
export const MAX_TOPIC_CHARS = 256;

/** The most UTF-16 units a reaction's emoji may have (a flag or a family is several). */
export const MAX_REACTION_CHARS = 16;

/** Most members one room move may leave out (a room has at most 16). */
export const MAX_REMOVED_MEMBERS = 16;

/** Longest event kind a newer build may use (lowercase words and dashes). */
export const MAX_EVENT_KIND_CHARS = 32;

/**
 * Largest body of an event of a kind this build does not know, as UTF-8 JSON: kept and relayed
 * whole (DESIGN §6 "Forward compatibility"), so bounded well inside one frame.
 */
export const MAX_FUTURE_BODY_BYTES = 16_384;

/** Deepest nesting of a body of a kind this build does not know (objects and arrays). */
export const MAX_FUTURE_BODY_DEPTH = 16;

/** Upper bound for a PeerJS connection id (`dc_`/`mc_` plus a random token) in a relayed frame. */
export const MAX_CONNECTION_ID_CHARS = 64;

/** Upper bound for short free-text fields of a relayed frame (data-channel label, sdpMid, …). */
export const MAX_SIGNAL_LABEL_CHARS = 256;

/** Upper bound for the `browser` name PeerJS clients older than 1.4 add to offers and answers. */
export const MAX_PEERJS_BROWSER_CHARS = 64;

/** Deepest nesting of the `metadata` a PeerJS offer carries (Parley's is one flat object). */
export const MAX_OFFER_METADATA_DEPTH = 4;

/** Most ICE server entries in one `X-ICE` frame. */
export const MAX_ICE_SERVERS = 16;

/** Most URLs in one ICE server entry. */
export const MAX_ICE_URLS = 16;

/** Longest ICE server URL, user name or credential. */
export const MAX_ICE_FIELD_CHARS = 512;
