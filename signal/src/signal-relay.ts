import type { RelayFrame, RelayRefusalReason } from '../../web/src/lib/protocol/room-frames.js';
import { describeError, redact, type Logger } from './log.js';
import type { ForwardOutcome, HeldSignalling } from './relay-queue.js';

/**
 * Passes OFFER, ANSWER and CANDIDATE frames (already checked by relay-guard.ts) from one peer to
 * another, in place of PeerServer's relay: to the destination's socket if it is on this node and
 * reading; else through {@link HeldSignalling} — to the node holding it (scale-out) or into a
 * bounded queue until it (re)connects; else refused. A failure to deliver never closes anybody's
 * socket — PeerServer 1.0.2 closes the *destination's* (its transmission handler's catch), which
 * let one member cut another off.
 *
 * Delivery to a socket here is synchronous (the hot path needs no Redis); everything else is a
 * promise. A peer's queued frames are delivered before anything newer reaches it.
 */

/** A connected peer's socket, as far as relaying goes. */
export interface RelayEndpoint {
  /** Sends one text frame. */
  send(data: string): void;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
}

export interface RelayOptions {
  /** Where frames for peers not connected here go. */
  held: HeldSignalling;
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
  /** Published to the node that holds the destination. */
  | { status: 'routed' }
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
  /** Peers whose queued frames are being delivered: newer frames wait for that. */
  readonly #flushing = new Map<string, Promise<number>>();

  constructor(options: RelayOptions) {
    this.#options = options;
  }

  /** Relays `frame` from `src` (its sender, as authenticated by PeerServer). */
  relay(src: string, frame: RelayFrame, nowMs: number): RelayOutcome | Promise<RelayOutcome> {
    const data = serialise({ type: frame.type, src, dst: frame.dst, payload: frame.payload });
    if (data === null) return { status: 'refused', reason: 'invalid' };
    const flushing = this.#flushing.get(frame.dst);
    if (flushing) return flushing.then(() => this.#relayText(src, frame.dst, data, nowMs));
    return this.#relayText(src, frame.dst, data, nowMs);
  }

  /**
   * Delivers what waited for `dst`, which has just connected here; resolves with how many frames.
   * Frames relayed to it meanwhile go after these.
   */
  flushTo(dst: string): Promise<number> {
    const flushing = this.#flush(dst).finally(() => {
      if (this.#flushing.get(dst) === flushing) this.#flushing.delete(dst);
    });
    this.#flushing.set(dst, flushing);
    return flushing;
  }

  /**
   * Delivers a frame another node routed here (scale-out) to `dst`'s socket; false when `dst` is
   * not here (any more) or not reading.
   */
  async deliverRouted(dst: string, data: string): Promise<boolean> {
    await this.#flushing.get(dst);
    const endpoint = this.#options.endpointOf(dst);
    return endpoint !== null && this.#send(endpoint, data);
  }

  /**
   * Drops frames that waited longer than the expire timeout and tells each sender once per
   * destination, as PeerServer does: `EXPIRE` with `src` set to the peer that never came.
   */
  async expire(nowMs: number): Promise<void> {
    const { held, expireTimeoutMs } = this.#options;
    for (const { src, dst } of await held.expire(nowMs, expireTimeoutMs)) {
      const data = serialise({ type: 'EXPIRE', src: dst, dst: src });
      if (data === null) continue;
      const endpoint = this.#options.endpointOf(src);
      if (endpoint) this.#send(endpoint, data);
      else await held.forward(dst, src, data, nowMs, false);
    }
  }

  /** Forgets what `src` queued: it has disconnected. */
  forgetSender(src: string): Promise<void> {
    return this.#options.held.dropFrom(src);
  }

  /** Current sizes. */
  async stats(): Promise<RelayStats> {
    const { bytes, frames } = await this.#options.held.stats();
    return { queuedBytes: bytes, queuedFrames: frames };
  }

  #relayText(
    src: string,
    dst: string,
    data: string,
    nowMs: number,
  ): RelayOutcome | Promise<RelayOutcome> {
    const endpoint = this.#options.endpointOf(dst);
    if (endpoint) {
      return this.#send(endpoint, data)
        ? { status: 'delivered' }
        : { status: 'refused', reason: 'busy' };
    }
    return this.#options.held.forward(src, dst, data, nowMs, true).then(
      (outcome) => toRelayOutcome(outcome),
      (error: unknown) => {
        // Redis unreachable: the destination cannot be reached now; the sender may retry.
        this.#options.log.debug('could not forward a frame', describeError(error));
        return { status: 'refused', reason: 'busy' } as const;
      },
    );
  }

  async #flush(dst: string): Promise<number> {
    // Another flush of the same peer (a quick re-attach) finishes first.
    await this.#flushing.get(dst);
    const frames = await this.#options.held.takeFor(dst);
    const endpoint = this.#options.endpointOf(dst);
    if (!endpoint) return 0;
    let delivered = 0;
    for (const frame of frames) {
      if (!this.#send(endpoint, frame)) break;
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

function toRelayOutcome(outcome: ForwardOutcome): RelayOutcome {
  switch (outcome) {
    case 'routed':
      return { status: 'routed' };
    case 'queued':
      return { status: 'queued' };
    case 'queue-full':
      return { status: 'refused', reason: 'queue-full' };
    case 'absent':
      // Only when holding was not asked for; a relay always asks.
      return { status: 'refused', reason: 'busy' };
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
