/**
 * Received `events` frames in bursts (DESIGN §6 "Receiving in bursts"): per link, the frames that
 * arrive while one burst is verified and stored wait here and form the next; the next burst is
 * verified while the one before is stored. The engine supplies the two steps.
 */
import type { StoredEvent, Unverified } from '../protocol/events';
import { MAX_BATCH_EVENTS } from '../protocol/limits';
import type { EventsFrame } from '../protocol/peer-frames';

/** An `events` frame as it arrives (its events not verified yet). */
export type ReceivedEventsFrame = EventsFrame<Unverified<StoredEvent>>;

/** At most this many events are verified and stored together from one link's inbox. */
export const MAX_BURST_EVENTS = 8 * MAX_BATCH_EVENTS;

/**
 * Takes the first frames of `frames` (at least one) whose events add up to at most `max` and
 * whose author keys agree, as one frame: what one burst verifies and stores.
 */
export function takeBurst(frames: ReceivedEventsFrame[], max: number): ReceivedEventsFrame {
  const first = frames.shift();
  if (!first) return { type: 'events', events: [], keys: {} };
  const events = [...first.events];
  const keys: Record<string, string> = { ...first.keys };
  for (;;) {
    const next = frames[0];
    if (!next || events.length + next.events.length > max) break;
    const agrees = Object.entries(next.keys).every(
      ([author, key]) => (keys[author] ?? key) === key,
    );
    if (!agrees) break;
    frames.shift();
    events.push(...next.events);
    Object.assign(keys, next.keys);
  }
  return { type: 'events', events, keys };
}

/** What the inbox does with a burst: check it (null: nothing to store), then store it. */
export interface BurstSteps<Link, Checked> {
  verify(link: Link, burst: ReceivedEventsFrame): Promise<Checked | null>;
  /** `more`: the next burst of the link is already here (being verified). */
  store(link: Link, checked: Checked, more: boolean): Promise<unknown>;
  /** A step failed (logged; the inbox goes on with the next burst). */
  onError(step: 'verify' | 'store', link: Link, error: unknown): void;
  /** The link's inbox is empty: its last burst was stored (or came to nothing). */
  drained?(link: Link): void;
}

/** Per link, the frames waiting and the run storing them. */
export class BurstInbox<Link, Checked> {
  #steps: BurstSteps<Link, Checked>;
  #links = new Map<Link, { frames: ReceivedEventsFrame[]; run: Promise<void> | null }>();

  constructor(steps: BurstSteps<Link, Checked>) {
    this.#steps = steps;
  }

  /** Adds a frame; resolves once it (and every frame before it) is stored. */
  push(link: Link, frame: ReceivedEventsFrame): Promise<void> {
    let inbox = this.#links.get(link);
    if (!inbox) {
      inbox = { frames: [], run: null };
      this.#links.set(link, inbox);
    }
    inbox.frames.push(frame);
    inbox.run ??= this.#run(link, inbox);
    return inbox.run;
  }

  /** How many frames of a link wait. */
  backlog(link: Link): number {
    return this.#links.get(link)?.frames.length ?? 0;
  }

  /** Resolves once what the link's inbox holds now is stored. */
  async whenStored(link: Link): Promise<void> {
    await this.#links.get(link)?.run;
  }

  async #run(
    link: Link,
    inbox: { frames: ReceivedEventsFrame[]; run: Promise<void> | null },
  ): Promise<void> {
    const verifyNext = (): Promise<Checked | null> =>
      this.#steps
        .verify(link, takeBurst(inbox.frames, MAX_BURST_EVENTS))
        .catch((error: unknown) => {
          this.#steps.onError('verify', link, error);
          return null;
        });
    try {
      let next: Promise<Checked | null> | null = null;
      while (next || inbox.frames.length > 0) {
        const checked: Checked | null = await (next ?? verifyNext());
        // The next burst is verified while this one is stored (a Worker checks it meanwhile).
        next = inbox.frames.length > 0 ? verifyNext() : null;
        if (checked === null) continue;
        try {
          await this.#steps.store(link, checked, next !== null);
        } catch (error) {
          this.#steps.onError('store', link, error);
        }
      }
    } finally {
      inbox.run = null;
      this.#links.delete(link);
      this.#steps.drained?.(link);
    }
  }
}
