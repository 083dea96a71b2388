/**
 * The binary channel of a PeerJS link (DESIGN §12): a second RTCDataChannel on the link's own
 * RTCPeerConnection, *negotiated* — both ends create it with the same stream id, so it needs no
 * in-band open message and no renegotiation (the SCTP association already runs for the chat
 * channel). PeerJS never sees it: `ondatachannel` fires only for in-band channels.
 */
import { createLogger } from '../log';
import { BinaryEvents } from './binary-events';
import {
  BINARY_LOW_WATER_BYTES,
  type BinaryChannel,
  type BinaryChannelHandlers,
} from './transport';

const log = createLogger('binary');

/** The binary channel's label (informational; negotiated channels match on the id). */
export const BINARY_CHANNEL_LABEL = 'parley-files';
/**
 * Its SCTP stream id, well clear of the ids the browser assigns in-band (the chat channel gets 0
 * or 1) and below the 1,024 streams libwebrtc negotiates per association.
 */
export const BINARY_CHANNEL_ID = 512;

/** A negotiated RTCDataChannel seen through the `BinaryChannel` interface. */
export class RtcBinaryChannel implements BinaryChannel {
  #channel: RTCDataChannel | null = null;
  #events = new BinaryEvents();
  #remoteId: string;
  #closeLink: (reason: string) => void;

  /**
   * Creates the channel on `pc` at once. Without a connection, or when the browser refuses (a
   * closed connection throws InvalidStateError), the channel starts closed. `closeLink` closes
   * the link it belongs to.
   */
  constructor(
    pc: RTCPeerConnection | null | undefined,
    remoteId: string,
    closeLink: (reason: string) => void,
  ) {
    this.#remoteId = remoteId;
    this.#closeLink = closeLink;
    if (!pc) {
      this.#events.close();
      return;
    }
    let channel: RTCDataChannel;
    try {
      channel = pc.createDataChannel(BINARY_CHANNEL_LABEL, {
        negotiated: true,
        id: BINARY_CHANNEL_ID,
        ordered: true,
      });
      channel.binaryType = 'arraybuffer';
      channel.bufferedAmountLowThreshold = BINARY_LOW_WATER_BYTES;
    } catch (error) {
      log.warn('could not create the binary channel to', remoteId, error);
      this.#events.close();
      return;
    }
    this.#channel = channel;
    channel.onopen = () => this.#events.open();
    channel.onmessage = (event: MessageEvent<unknown>) => this.#receive(event.data);
    channel.onbufferedamountlow = () => this.#events.drain();
    channel.onerror = (event) => {
      const error: RTCError | undefined = event.error;
      log.warn('binary channel error', remoteId, error?.errorDetail, error?.message);
    };
    channel.onclose = () => this.close();
  }

  get isOpen(): boolean {
    return this.#events.isOpen && this.#channel?.readyState === 'open';
  }

  get bufferedAmount(): number {
    return this.#events.isClosed ? 0 : (this.#channel?.bufferedAmount ?? 0);
  }

  setHandlers(handlers: BinaryChannelHandlers): void {
    this.#events.setHandlers(handlers);
  }

  send(data: ArrayBuffer | string): boolean {
    const channel = this.#channel;
    if (!channel || !this.isOpen) return false;
    try {
      // Throws when the message exceeds the association's max-message-size (TypeError), or the
      // browser's send queue is full or the channel is closing (OperationError/InvalidStateError).
      if (typeof data === 'string') channel.send(data);
      else channel.send(data);
      return true;
    } catch (error) {
      log.warn('binary send failed to', this.#remoteId, error);
      return false;
    }
  }

  closeLink(reason: string): void {
    log.warn('closing the link to', this.#remoteId, reason);
    this.#closeLink(reason);
  }

  close(): void {
    if (!this.#events.close()) return;
    const channel = this.#channel;
    if (!channel) return;
    channel.onopen = channel.onmessage = channel.onbufferedamountlow = null;
    channel.onerror = channel.onclose = null;
    try {
      channel.close();
    } catch (error) {
      log.debug('closing the binary channel threw', error);
    }
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer)) {
      log.warn('dropped a binary-channel message of an unexpected type from', this.#remoteId);
      return;
    }
    if (this.#events.message(data)) return;
    log.warn('binary channel held too much for absent handlers; closing', this.#remoteId);
    this.close();
  }
}
