/**
 * PeerJS media connections seen through the transport's `MediaCall` (DESIGN §8). Split from
 * `peerjs-transport.ts` so its code loads with the call layer, not with the first screen; it
 * sees PeerJS only through the structural `PeerMediaConnection` below (the transport hands it
 * the real MediaConnection), so `peerjs` is still imported by the transport alone.
 */
import { DIAL_TIMEOUT_MS } from '../config-network';
import { createLogger } from '../log';
import type { MediaCall, MediaCallHandlers } from './transport';
import { isRoomKey } from '../protocol/id-formats';
import type { PeerId, RoomKey } from '../protocol/ids';

const log = createLogger('peerjs');

/** The part of PeerJS 1.5.5's MediaConnection this module uses. */
export interface PeerMediaConnection {
  /** The remote peer ID (as PeerJS reports it: unchecked). */
  readonly peer: string;
  /** The dialler's metadata (unchecked). */
  readonly metadata: unknown;
  /** The underlying connection, once made. */
  readonly peerConnection: RTCPeerConnection | undefined;
  /** PeerJS events. */
  on(event: 'stream', listener: (stream: MediaStream) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: { type: string; message: string }) => void): unknown;
  /** Answers an incoming call with our stream. */
  answer(stream: MediaStream): void;
  /** Closes it. */
  close(): void;
}

/** Metadata a caller attaches to every media connection; the callee routes on it. */
export interface MediaCallMetadata {
  room: RoomKey;
  callId: string;
  v: 1;
}

export function isMediaCallMetadata(value: unknown): value is MediaCallMetadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    'room' in value &&
    isRoomKey(value.room) &&
    'callId' in value &&
    typeof value.callId === 'string' &&
    value.callId.length <= 64 &&
    'v' in value &&
    value.v === 1
  );
}

/**
 * A PeerJS MediaConnection seen through the `MediaCall` interface. ICE `disconnected` is left
 * alone (it often recovers by itself after a blip); `failed`, a remote close, an error, or no
 * media within DIAL_TIMEOUT_MS close it, and the call layer decides whether to dial again.
 */
export class PeerJsMediaCall implements MediaCall {
  readonly remoteId: PeerId;
  readonly room: RoomKey;
  readonly callId: string;
  readonly isDialer: boolean;
  #conn: PeerMediaConnection | null;
  #handlers: MediaCallHandlers | null = null;
  #stream: MediaStream | null = null;
  #closedReason: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(args: {
    conn: PeerMediaConnection | null;
    remoteId: PeerId;
    room: RoomKey;
    callId: string;
    isDialer: boolean;
  }) {
    const { conn, remoteId, room, callId, isDialer } = args;
    this.#conn = conn;
    this.remoteId = remoteId;
    this.room = room;
    this.callId = callId;
    this.isDialer = isDialer;
    if (!conn) {
      queueMicrotask(() => this.close('signal server unreachable'));
      return;
    }
    this.#timer = setTimeout(() => this.close('timed out opening'), DIAL_TIMEOUT_MS);
    // 'stream' fires once per remote track with the same stream (DESIGN §12): keep the first.
    conn.on('stream', (stream) => {
      if (this.#stream || this.#closedReason !== null) return;
      clearTimeout(this.#timer);
      this.#stream = stream;
      this.#handlers?.onStream(stream);
    });
    conn.on('close', () => this.close('closed'));
    conn.on('error', (error) => {
      log.warn('media connection error', this.remoteId, error.type, error.message);
      this.close(`error: ${error.type}`);
    });
  }

  setHandlers(handlers: MediaCallHandlers): void {
    this.#handlers = handlers;
    if (this.#closedReason !== null) handlers.onClose(this.#closedReason);
    else if (this.#stream) handlers.onStream(this.#stream);
  }

  answer(stream: MediaStream): void {
    if (!this.#conn || this.#closedReason !== null) return;
    this.#conn.answer(stream);
    this.#watchIce();
  }

  /** Called once the dialler's peer connection exists. */
  watchIce(): void {
    this.#watchIce();
  }

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<boolean> {
    const pc = this.#conn?.peerConnection;
    const sender = pc
      ?.getSenders()
      .find((s) => s.track?.kind === kind || (!s.track && kind === 'video'));
    if (!sender) return false;
    try {
      await sender.replaceTrack(track);
      return true;
    } catch (error) {
      log.warn('replaceTrack failed', kind, error);
      return false;
    }
  }

  async getStats(): Promise<RTCStatsReport | null> {
    const pc = this.#conn?.peerConnection;
    if (!pc || this.#closedReason !== null) return null;
    return pc.getStats();
  }

  close(reason = 'closed locally'): void {
    if (this.#closedReason !== null) return;
    this.#closedReason = reason;
    clearTimeout(this.#timer);
    try {
      this.#conn?.close();
    } catch (error) {
      log.debug('closing a PeerJS media connection threw', error);
    }
    this.#conn = null;
    this.#handlers?.onClose(reason);
  }

  #watchIce(): void {
    const pc = this.#conn?.peerConnection;
    pc?.addEventListener('iceconnectionstatechange', () => {
      if (pc.iceConnectionState === 'failed') this.close('ICE failed');
    });
  }
}
