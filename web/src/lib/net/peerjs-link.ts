/**
 * One PeerJS DataConnection seen through the `Link` interface (DESIGN §2, §12): its open, texts
 * and close in order (link-events.ts), the binary file channel beside it (rtc-binary-channel.ts),
 * the DTLS channel binding, draining, and the offer and ICE watches. Made by peerjs-transport.ts.
 */
import type { DataConnection } from 'peerjs';
import { DIAL_TIMEOUT_MS, SEND_LOW_WATER_BYTES } from '../config-network';
import { createLogger } from '../log';
import type { PeerId, RoomKey } from '../protocol/ids';
import { LinkEvents } from './link-events';
import { RtcBinaryChannel } from './rtc-binary-channel';
import type { BinaryChannel, Link, LinkHandlers } from './transport';

const log = createLogger('peerjs');

/** How often `whenDrained` looks at the send buffer. */
const DRAIN_POLL_MS = 20;

/** The first DTLS certificate fingerprint line of an SDP, normalised ("sha-256 AB:CD:…"). */
function dtlsFingerprint(sdp: string | undefined): string | null {
  const match = sdp ? /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp) : null;
  if (!match?.[1] || !match[2]) return null;
  return `${match[1].toLowerCase()} ${match[2].toUpperCase()}`;
}

/** A PeerJS DataConnection seen through the `Link` interface. */
export class PeerJsLink implements Link {
  readonly remoteId: PeerId;
  readonly room: RoomKey;
  readonly isDialer: boolean;
  readonly localId: PeerId;
  #conn: DataConnection | null;
  #events = new LinkEvents();
  #binary: RtcBinaryChannel;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onGone: (link: PeerJsLink) => void;
  /** Settled once the offer is made (dialler) or the link closed. */
  #offered: Promise<void> = Promise.resolve();
  #markOffered: () => void = () => undefined;

  constructor(args: {
    conn: DataConnection | null;
    localId: PeerId;
    remoteId: PeerId;
    room: RoomKey;
    isDialer: boolean;
    onGone: (link: PeerJsLink) => void;
  }) {
    const { conn, localId, remoteId, room, isDialer, onGone } = args;
    this.#conn = conn;
    this.localId = localId;
    this.remoteId = remoteId;
    this.room = room;
    this.isDialer = isDialer;
    this.#onGone = onGone;
    // Both ends create the binary channel as soon as PeerJS has made the RTCPeerConnection — the
    // dialler right after its offer started, the acceptor before it applies that offer — so each
    // has it before the association is up and nothing sent on it can find the far end without it.
    this.#binary = new RtcBinaryChannel(conn?.peerConnection, remoteId, (reason) =>
      this.close(reason),
    );
    if (!conn) {
      // PeerJS returns no connection while the Peer is disconnected from the server.
      queueMicrotask(() => this.close('signal server unreachable'));
      return;
    }
    // A connection that never opens never emits 'close' (DESIGN §12): time it out ourselves.
    this.#timer = setTimeout(() => this.close('timed out opening'), DIAL_TIMEOUT_MS);
    conn.on('open', () => this.#handleOpen());
    conn.on('data', (data) => {
      if (typeof data === 'string') this.#events.text(data);
      else log.warn('dropped a non-text frame on a chat link from', this.remoteId);
    });
    conn.on('close', () => this.close('closed'));
    conn.on('error', (error) => {
      log.warn('link error', this.remoteId, error.type, error.message);
      this.close(`error: ${error.type}`);
    });
    this.#watchIce(conn);
    if (isDialer) this.#watchOffer(conn);
  }

  /** True once the data channel opened and until it closes. */
  get isOpen(): boolean {
    return this.#events.isOpen;
  }

  setHandlers(handlers: LinkHandlers): void {
    this.#events.setHandlers(handlers);
  }

  send(text: string): boolean {
    if (!this.isOpen || !this.#conn) return false;
    try {
      // PeerJS's raw serializer hands strings straight to RTCDataChannel.send, buffering
      // behind bufferedAmount; our frames are ≤ 64 KiB, far below SCTP's message limit.
      void this.#conn.send(text);
      return true;
    } catch (error) {
      log.warn('send failed; closing link', this.remoteId, error);
      this.close('send failed');
      return false;
    }
  }

  channelBinding(): string | null {
    const pc = this.#conn?.peerConnection;
    const local = dtlsFingerprint(pc?.localDescription?.sdp);
    const remote = dtlsFingerprint(pc?.remoteDescription?.sdp);
    if (!local || !remote) return null;
    return this.isDialer ? `${local}|${remote}` : `${remote}|${local}`;
  }

  whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        const conn = this.#conn;
        const channel = conn?.dataChannel;
        // PeerJS queues in its own array once the channel holds 8 MiB (BufferedConnection).
        const isDrained =
          !channel ||
          (channel.bufferedAmount <= SEND_LOW_WATER_BYTES &&
            ((conn as { bufferSize?: number } | undefined)?.bufferSize ?? 0) === 0);
        if (this.#events.isClosed || isDrained) resolve();
        else setTimeout(check, DRAIN_POLL_MS);
      };
      check();
    });
  }

  whenOffered(): Promise<void> {
    return this.#offered;
  }

  binaryChannel(): BinaryChannel {
    return this.#binary;
  }

  close(reason = 'closed locally'): void {
    if (this.#events.isClosed) return;
    this.#markOffered();
    clearTimeout(this.#timer);
    // RTCPeerConnection.close() closes its channels without a 'close' event: close ours first.
    this.#binary.close();
    try {
      this.#conn?.close();
    } catch (error) {
      log.debug('closing a PeerJS connection threw', error);
    }
    this.#onGone(this);
    this.#events.close(reason);
  }

  #handleOpen(): void {
    if (this.#events.isClosed) return;
    clearTimeout(this.#timer);
    this.#events.open();
  }

  /**
   * The offer is made once the local description is set: PeerJS sends it to the signal server
   * in the very next microtask (Negotiator._makeOffer), before any other task can run.
   */
  #watchOffer(conn: DataConnection): void {
    const pc = conn.peerConnection as RTCPeerConnection | undefined;
    if (!pc) return;
    this.#offered = new Promise((resolve) => {
      this.#markOffered = resolve;
      const onChange = (): void => {
        if (pc.signalingState === 'stable') return;
        pc.removeEventListener('signalingstatechange', onChange);
        resolve();
      };
      pc.addEventListener('signalingstatechange', onChange);
    });
  }

  /** PeerJS only logs ICE `disconnected` and may miss `failed`; we close on `failed`. */
  #watchIce(conn: DataConnection): void {
    const pc = conn.peerConnection as RTCPeerConnection | undefined;
    pc?.addEventListener('iceconnectionstatechange', () => {
      if (pc.iceConnectionState === 'failed') this.close('ICE failed');
    });
  }
}
