import type { RelayFrame, RelayRefusalReason } from '../../web/src/lib/protocol/room-frames.js';
import { describeError, redact, type Logger } from './log.js';
import { RelayQueue, type RelayQueueLimits } from './relay-queue.js';

/**
 * Passes OFFER, ANSWER and CANDIDATE frames (already checked by relay-guard.ts) from one peer to
 * another, in place of PeerServer's relay: to the destination's socket if it is here and reading,
 * else into a bounded queue until it (re)connects, else refused. A failure to deliver never
 * closes anybody's socket — PeerServer 1.0.2 closes the *destination's* (its transmission
 * handler's catch), which let one member cut another off.
 *
 * Sockets are reached through {@link RelayOptions.endpointOf}, so a scale-out node (DESIGN §3)
 * can put a cross-node hop behind the same interface.
 */

/** A connected peer's socket, as far as relaying goes. */
export interface RelayEndpoint {
  /** Sends one text frame. */
  send(data: string): void;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
}

export interface RelayOptions {
  /** Bounds of the queue for absent peers. */
  queue: RelayQueueLimits;
  /** A destination with more unsent bytes than this is not reading: refuse (`busy`). */
  maxSendBufferBytes: number;
  /** How long frames wait for an absent peer before the sender hears EXPIRE. */
  expireTimeoutMs: number;
  /** The socket of `peerId` if it is connected here and open, else null. */
  endpointOf: (peerId: string) => RelayEndpoint | null;
  log: Logger;
}

/** What became of one relayed frame. */
export type RelayOutcome =
  /** Written to the destination's socket. */
  | { status: 'delivered' }
  /** The destination is absent; it gets the frame if it connects within the expire timeout. */
  | { status: 'queued' }
  /** Dropped; the sender should be told why. */
  | { status: 'refused'; reason: RelayRefusalReason };

/** Sizes for /metrics. */
export interface RelayStats {
  /** Bytes waiting for absent peers. */
  queuedBytes: number;
  /** Frames waiting for absent peers. */
  queuedFrames: number;
}

export class SignalRelay {
  readonly #options: RelayOptions;
  readonly #queue: RelayQueue;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#queue = new RelayQueue(options.queue);
  }

  /** Relays `frame` from `src` (its sender, as authenticated by PeerServer). */
  relay(src: string, frame: RelayFrame, nowMs: number): RelayOutcome {
    const data = serialise({ type: frame.type, src, dst: frame.dst, payload: frame.payload });
    if (data === null) return { status: 'refused', reason: 'invalid' };
    const endpoint = this.#options.endpointOf(frame.dst);
    if (endpoint) {
      return this.#send(endpoint, data)
        ? { status: 'delivered' }
        : { status: 'refused', reason: 'busy' };
    }
    return this.#queue.enqueue(src, frame.dst, data, nowMs)
      ? { status: 'queued' }
      : { status: 'refused', reason: 'queue-full' };
  }

  /** Delivers what waited for `dst`, which has just connected; returns how many frames. */
  flushTo(dst: string): number {
    const frames = this.#queue.takeFor(dst);
    const endpoint = this.#options.endpointOf(dst);
    if (!endpoint) return 0;
    let delivered = 0;
    for (const frame of frames) {
      if (!this.#send(endpoint, frame.data)) break;
      delivered++;
    }
    if (delivered < frames.length) {
      this.#options.log.debug('dropped queued signalling for a peer that is not reading', {
        peer: redact(dst),
        dropped: frames.length - delivered,
      });
    }
    return delivered;
  }

  /**
   * Drops frames that waited longer than the expire timeout and tells each sender once per
   * destination, as PeerServer does: `EXPIRE` with `src` set to the peer that never came.
   */
  expire(nowMs: number): void {
    for (const { src, dst } of this.#queue.expire(nowMs, this.#options.expireTimeoutMs)) {
      const endpoint = this.#options.endpointOf(src);
      const data = serialise({ type: 'EXPIRE', src: dst, dst: src });
      if (endpoint && data !== null) this.#send(endpoint, data);
    }
  }

  /** Forgets what `src` queued: it has disconnected. */
  forgetSender(src: string): void {
    this.#queue.dropFrom(src);
  }

  /** Current sizes. */
  stats(): RelayStats {
    return { queuedBytes: this.#queue.totalBytes, queuedFrames: this.#queue.frameCount };
  }

  /** Writes `data` unless the socket is not reading; never throws, never closes it. */
  #send(endpoint: RelayEndpoint, data: string): boolean {
    if (endpoint.bufferedAmount + data.length > this.#options.maxSendBufferBytes) return false;
    try {
      endpoint.send(data);
      return true;
    } catch (error) {
      this.#options.log.debug('could not relay a frame', describeError(error));
      return false;
    }
  }
}

/** JSON text of a frame; null if it cannot be serialised (it always can once validated). */
function serialise(frame: object): string | null {
  try {
    return JSON.stringify(frame);
  } catch {
    return null;
  }
}
