/**
 * The network boundary (DESIGN §2): the app talks to peers and to the signal server only through
 * this interface. `peerjs-transport.ts` is the real one; `memory-transport.ts` is its in-memory
 * twin for unit tests.
 */

import type { PeerId, RoomKey } from '../protocol/ids';

/**
 * A sender keeps a binary channel's `bufferedAmount` below this before sending more and waits for
 * `onDrain` (which fires when it falls back to BINARY_LOW_WATER_BYTES).
 */
export const BINARY_HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Where a binary channel reports `onDrain` (its `bufferedAmountLowThreshold`). */
export const BINARY_LOW_WATER_BYTES = 1024 * 1024;

/** State of the connection to the signal server. */
export type SignalStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

/** What a link reports to its owner. Set once with `Link.setHandlers`. */
export interface LinkHandlers {
  /** The data channel is open; frames may be sent. */
  onOpen(): void;
  /** A text frame arrived (not yet parsed or trusted). Never before `onOpen`. */
  onText(text: string): void;
  /** The link is gone for good (closed by either side, failed, or timed out). Fires once. */
  onClose(reason: string): void;
}

/** What a binary channel reports. Set once with `BinaryChannel.setHandlers`. */
export interface BinaryChannelHandlers {
  /** The channel is open; replayed if it already was when the handlers were set. */
  onOpen(): void;
  /** A message arrived (not yet parsed or trusted). Never before `onOpen`. */
  onMessage(data: ArrayBuffer | string): void;
  /** `bufferedAmount` fell to BINARY_LOW_WATER_BYTES after being above it. */
  onDrain(): void;
  /** The channel is gone for good (either side closed it, or its link closed). Fires once. */
  onClose(): void;
}

/**
 * A second, binary data channel on a link's connection, for file chunks (DESIGN §9, §12). Ordered
 * and reliable. Closing it leaves the link up; closing the link closes it. Messages that arrive
 * before `setHandlers` wait for it, up to a bound beyond which the channel closes.
 */
export interface BinaryChannel {
  /** True once open and until closed. */
  readonly isOpen: boolean;
  /** Bytes queued for sending (0 once closed). */
  readonly bufferedAmount: number;
  /** Installs the handlers; what happened before is replayed (open, held messages, close). */
  setHandlers(handlers: BinaryChannelHandlers): void;
  /**
   * Sends one message; false when the channel is not open or the send threw (nothing was sent).
   * The data is copied before it returns, so the caller may reuse its buffer.
   */
  send(data: ArrayBuffer | string): boolean;
  /** Closes the channel (both ends); `onClose` fires once. The link stays up. */
  close(): void;
  /**
   * Closes the whole link this channel rides on, without `bye`, so the side that dialled dials
   * again (DESIGN §7): for a link that is up but whose channel is stuck (stopped draining).
   */
  closeLink(reason: string): void;
}

/** One data connection to a remote peer for one room. */
export interface Link {
  /** The remote peer's session ID (a mailbox, not an identity). */
  readonly remoteId: PeerId;
  /** The opaque room key this link was opened for. */
  readonly room: RoomKey;
  /** True when this side dialled; the handshake transcript depends on it. */
  readonly isDialer: boolean;
  /** This side's peer ID for the life of the link (known even while the signal socket is down). */
  readonly localId: PeerId;
  /**
   * What ties the handshake to this very connection: both ends' DTLS certificate fingerprints,
   * dialler's first, so a relay that terminates DTLS itself cannot pass proofs through. Null
   * before the link is open.
   */
  channelBinding(): string | null;
  /** Resolves once queued outgoing data has drained to a low-water mark, or the link closed. */
  whenDrained(): Promise<void>;
  /**
   * Resolves once this side's offer is made (the dialler; the answerer's at once), or the link
   * closed: from then on the connection waits on the network, not on this tab's main thread.
   */
  whenOffered(): Promise<void>;
  /** Installs the handlers; events that happened before are replayed (open, queued texts). */
  setHandlers(handlers: LinkHandlers): void;
  /** Sends a text frame; false when the link is not open. */
  send(text: string): boolean;
  /**
   * The link's binary channel (the same object on every call); usable once the link is open.
   * The far end creates its own at the same time, so send on it only after hearing from the far
   * end on the link (RoomMesh hands it out only after the handshake).
   */
  binaryChannel(): BinaryChannel;
  /** Closes the link; `onClose` fires once. */
  close(reason?: string): void;
}

/** What a media call reports to its owner. Set once with `MediaCall.setHandlers`. */
export interface MediaCallHandlers {
  /** The remote side's media arrived (once per call; later tracks change through the same stream). */
  onStream(stream: MediaStream): void;
  /** The media connection is gone (closed by either side, failed, or timed out). Fires once. */
  onClose(reason: string): void;
}

/** One WebRTC media connection for one call with one remote peer (DESIGN §8). */
export interface MediaCall {
  /** The remote peer's session ID. */
  readonly remoteId: PeerId;
  /** The room whose call this is. */
  readonly room: RoomKey;
  /** The call it belongs to (from the dialler's metadata; not yet checked by anyone). */
  readonly callId: string;
  /** True when this side opened it. */
  readonly isDialer: boolean;
  /** Installs the handlers; a stream that arrived before is replayed. */
  setHandlers(handlers: MediaCallHandlers): void;
  /** Answers an incoming call, sending `stream` (which must have one audio and one video track). */
  answer(stream: MediaStream): void;
  /** Sends `track` instead of the current one of its kind, without renegotiation. */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<boolean>;
  /** The connection's WebRTC statistics, or null once closed. */
  getStats(): Promise<RTCStatsReport | null>;
  /** Closes it; `onClose` fires once. */
  close(reason?: string): void;
}

/** Room events pushed by the signal server (DESIGN §3). */
export type RoomSignal =
  | { type: 'peers'; room: RoomKey; peers: PeerId[] }
  | { type: 'joined'; room: RoomKey; peer: PeerId }
  | { type: 'left'; room: RoomKey; peer: PeerId }
  | { type: 'full'; room: RoomKey }
  | { type: 'error'; room: RoomKey | null; reason: string };

/** What the transport reports to the app. */
export interface TransportHandlers {
  /** The signal connection changed state. */
  onStatus(status: SignalStatus): void;
  /** The signal server answered or pushed a room event. */
  onRoomSignal(signal: RoomSignal): void;
  /** A remote peer dialled us for a room. */
  onIncoming(link: Link): void;
  /** The signal server's ICE servers for this session (`X-ICE`), each time it sends them. */
  onIceServers?(servers: RTCIceServer[]): void;
}

/** Peer-to-peer transport with a signal server for introductions. */
export interface Transport {
  /** This tab's current peer ID, or null before the first successful registration. */
  readonly peerId: PeerId | null;
  /** Connects to the signal server (and keeps reconnecting). */
  start(handlers: TransportHandlers): void;
  /** Joins a room now and after every reconnect, until `leaveRoom`. */
  joinRoom(room: RoomKey): void;
  /** Leaves a room. */
  leaveRoom(room: RoomKey): void;
  /** Opens a data connection to a peer for a room. */
  dial(remoteId: PeerId, room: RoomKey): Link;
  /**
   * Opens a media connection to a peer for a call, sending `stream` (one audio and one video
   * track: DESIGN §12, PeerJS cannot renegotiate, so every track is there from the start).
   */
  callPeer(
    remoteId: PeerId,
    room: RoomKey,
    callId: string,
    stream: MediaStream,
  ): Promise<MediaCall>;
  /**
   * Installs who hears of incoming media connections (null: refuse them all). The handler must
   * check the caller is an authenticated member in a call it expects, and close it otherwise.
   */
  onMediaCall(handler: ((call: MediaCall) => void) | null): void;
  /** Tries to reach the signal server now (after `online` or when the page becomes visible). */
  nudge(): void;
  /** Closes everything. */
  destroy(): void;
}
