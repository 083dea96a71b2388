/**
 * Signalling held for peers that are not connected right now (a reconnecting tab), bounded in
 * bytes per sender, per destination and in all. PeerServer's own queue has no bound at all: four
 * sockets sending 64 KiB frames to made-up IDs held gigabytes for its 5 s expiry. Frames are kept
 * as the serialised text that will be sent, so their size is what they cost. Pure: the clock is
 * passed in.
 */

/** The bounds of a {@link RelayQueue}, in bytes of serialised frames. */
export interface RelayQueueLimits {
  /** Queued from one sender, to everyone. */
  maxBytesPerSender: number;
  /** Queued for one destination, from everyone. */
  maxBytesPerDestination: number;
  /** Queued in all. */
  maxBytesTotal: number;
}

/** One frame waiting for its destination. */
export interface QueuedFrame {
  /** The sender's peer ID. */
  src: string;
  /** The destination's peer ID. */
  dst: string;
  /** The frame exactly as it will be sent. */
  data: string;
  /** Its size as counted against the limits. */
  bytes: number;
  /** When it was queued. */
  queuedAtMs: number;
}

/** A sender and a destination whose frames expired undelivered (the sender gets EXPIRE). */
export interface ExpiredPair {
  /** Who sent the frames. */
  src: string;
  /** Who never came to take them. */
  dst: string;
}

export class RelayQueue {
  readonly #limits: RelayQueueLimits;
  /** Per destination, oldest first. */
  readonly #byDestination = new Map<string, QueuedFrame[]>();
  readonly #bytesBySender = new Map<string, number>();
  readonly #bytesByDestination = new Map<string, number>();
  #totalBytes = 0;
  #frameCount = 0;

  constructor(limits: RelayQueueLimits) {
    this.#limits = limits;
  }

  /** Queues `data` from `src` for `dst`; false (nothing queued) when a bound would be passed. */
  enqueue(src: string, dst: string, data: string, nowMs: number): boolean {
    // JSON.stringify output of validated frames is ASCII apart from SDP/metadata text, and V8
    // stores such strings one byte per character: the length is what the frame costs.
    const bytes = data.length;
    const limits = this.#limits;
    if (
      this.#totalBytes + bytes > limits.maxBytesTotal ||
      (this.#bytesBySender.get(src) ?? 0) + bytes > limits.maxBytesPerSender ||
      (this.#bytesByDestination.get(dst) ?? 0) + bytes > limits.maxBytesPerDestination
    ) {
      return false;
    }
    const frame: QueuedFrame = { src, dst, data, bytes, queuedAtMs: nowMs };
    const frames = this.#byDestination.get(dst);
    if (frames) frames.push(frame);
    else this.#byDestination.set(dst, [frame]);
    this.#account(frame, +1);
    return true;
  }

  /** Removes and returns everything queued for `dst`, oldest first. */
  takeFor(dst: string): QueuedFrame[] {
    const frames = this.#byDestination.get(dst) ?? [];
    this.#byDestination.delete(dst);
    for (const frame of frames) this.#account(frame, -1);
    return frames;
  }

  /**
   * Removes the whole queue of every destination whose oldest frame was queued at or before
   * `nowMs - maxAgeMs` (as PeerServer does: a peer that has not come for that long is not coming),
   * and returns each sender and destination pair once.
   */
  expire(nowMs: number, maxAgeMs: number): ExpiredPair[] {
    const cutoffMs = nowMs - maxAgeMs;
    const expired = new Map<string, ExpiredPair>();
    for (const [dst, frames] of this.#byDestination) {
      if ((frames[0]?.queuedAtMs ?? Infinity) > cutoffMs) continue;
      for (const frame of this.takeFor(dst)) {
        expired.set(`${frame.src}\n${dst}`, { src: frame.src, dst });
      }
    }
    return [...expired.values()];
  }

  /** Drops everything `src` queued (it disconnected: nobody would hear the EXPIRE). */
  dropFrom(src: string): void {
    if (!this.#bytesBySender.has(src)) return;
    for (const [dst, frames] of this.#byDestination) {
      const kept = frames.filter((frame) => {
        if (frame.src !== src) return true;
        this.#account(frame, -1);
        return false;
      });
      if (kept.length === 0) this.#byDestination.delete(dst);
      else this.#byDestination.set(dst, kept);
    }
  }

  /** Bytes queued in all. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Frames queued in all. */
  get frameCount(): number {
    return this.#frameCount;
  }

  #account(frame: QueuedFrame, sign: 1 | -1): void {
    const delta = sign * frame.bytes;
    this.#totalBytes += delta;
    this.#frameCount += sign;
    adjust(this.#bytesBySender, frame.src, delta);
    adjust(this.#bytesByDestination, frame.dst, delta);
  }
}

function adjust(map: Map<string, number>, key: string, delta: number): void {
  const value = (map.get(key) ?? 0) + delta;
  if (value <= 0) map.delete(key);
  else map.set(key, value);
}

/** What became of a frame for a peer that is not connected to this node. */
export type ForwardOutcome =
  /** Published to the node that holds the destination (scale-out only). */
  | 'routed'
  /** Held until the destination attaches or the expire timeout passes. */
  | 'queued'
  /** A bound of the queue would be passed; nothing was held. */
  | 'queue-full'
  /** The destination is nowhere and holding was not asked for; dropped. */
  | 'absent';

/**
 * Signalling on its way to peers that are not connected to this node: the in-memory
 * {@link RelayQueue} of one process ({@link InMemoryHeldSignalling}), or Redis shared by every
 * node (redis-relay.ts), which also routes to the node holding the destination. Both keep the
 * same bounds and are tested by the same contract (held-signalling.test.ts).
 */
export interface HeldSignalling {
  /**
   * Passes `data` from `src` toward `dst`: routed to its node if another node holds it, else held
   * (when `mayHold`) within the bounds.
   */
  forward(
    src: string,
    dst: string,
    data: string,
    nowMs: number,
    mayHold: boolean,
  ): Promise<ForwardOutcome>;
  /** Removes and returns what waited for `dst`, oldest first. */
  takeFor(dst: string): Promise<string[]>;
  /** Takes every destination's queue whose oldest frame is `maxAgeMs` old; each pair once. */
  expire(nowMs: number, maxAgeMs: number): Promise<ExpiredPair[]>;
  /** Drops what `src` queued. */
  dropFrom(src: string): Promise<void>;
  /** Bytes and frames held (by the whole service, with Redis). */
  stats(): Promise<{ bytes: number; frames: number }>;
}

/** {@link HeldSignalling} of one process. */
export class InMemoryHeldSignalling implements HeldSignalling {
  readonly #queue: RelayQueue;

  constructor(limits: RelayQueueLimits) {
    this.#queue = new RelayQueue(limits);
  }

  forward(
    src: string,
    dst: string,
    data: string,
    nowMs: number,
    mayHold: boolean,
  ): Promise<ForwardOutcome> {
    if (!mayHold) return Promise.resolve('absent');
    return Promise.resolve(this.#queue.enqueue(src, dst, data, nowMs) ? 'queued' : 'queue-full');
  }

  takeFor(dst: string): Promise<string[]> {
    return Promise.resolve(this.#queue.takeFor(dst).map((frame) => frame.data));
  }

  expire(nowMs: number, maxAgeMs: number): Promise<ExpiredPair[]> {
    return Promise.resolve(this.#queue.expire(nowMs, maxAgeMs));
  }

  dropFrom(src: string): Promise<void> {
    this.#queue.dropFrom(src);
    return Promise.resolve();
  }

  stats(): Promise<{ bytes: number; frames: number }> {
    return Promise.resolve({ bytes: this.#queue.totalBytes, frames: this.#queue.frameCount });
  }
}
