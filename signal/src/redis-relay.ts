import type {
  ExpiredPair,
  ForwardOutcome,
  HeldSignalling,
  RelayQueueLimits,
} from './relay-queue.js';
import type { RedisLink } from './redis-link.js';
import { DROP_FROM, EXPIRE, ROUTE, TAKE, COUNTS } from './redis-scripts.js';
import { RELAY_EXPIRE_BATCH } from './config.js';

/**
 * {@link HeldSignalling} shared by every node through Redis: a frame for a peer that is not on
 * this node goes to the node holding it (one script: look up and publish), or is held for it with
 * exactly the in-memory queue's bounds — per sender, per destination, in all — counted for the
 * whole service. Any node may expire a queue; the script hands each one to one node.
 */
export class RedisHeldSignalling implements HeldSignalling {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #limits: RelayQueueLimits;

  constructor(link: RedisLink, prefix: string, limits: RelayQueueLimits) {
    this.#link = link;
    this.#prefix = prefix;
    this.#limits = limits;
  }

  async forward(
    src: string,
    dst: string,
    data: string,
    nowMs: number,
    mayHold: boolean,
  ): Promise<ForwardOutcome> {
    const { maxBytesPerSender, maxBytesPerDestination, maxBytesTotal } = this.#limits;
    // The same measure as the in-memory queue: UTF-16 length (see relay-queue.ts).
    const outcome = await this.#link.run(ROUTE, [
      this.#prefix,
      src,
      dst,
      data,
      data.length,
      nowMs,
      mayHold ? 'queue' : 'drop',
      maxBytesPerSender,
      maxBytesPerDestination,
      maxBytesTotal,
    ]);
    if (outcome === 'routed' || outcome === 'queued' || outcome === 'queue-full') return outcome;
    return 'absent';
  }

  async takeFor(dst: string): Promise<string[]> {
    return parseStrings(await this.#link.run(TAKE, [this.#prefix, dst]));
  }

  async expire(nowMs: number, maxAgeMs: number): Promise<ExpiredPair[]> {
    const reply = await this.#link.run(EXPIRE, [
      this.#prefix,
      nowMs - maxAgeMs,
      RELAY_EXPIRE_BATCH,
    ]);
    return asArray(JSON.parse(String(reply))).flatMap((pair) => {
      const [src, dst] = asArray(pair);
      return typeof src === 'string' && typeof dst === 'string' ? [{ src, dst }] : [];
    });
  }

  async dropFrom(src: string): Promise<void> {
    await this.#link.run(DROP_FROM, [this.#prefix, src]);
  }

  async stats(): Promise<{ bytes: number; frames: number }> {
    const reply = asArray(await this.#link.run(COUNTS, [this.#prefix]));
    return { bytes: Number(reply[2] ?? 0), frames: Number(reply[3] ?? 0) };
  }
}

/**
 * A Lua table as decoded: Redis's cjson encodes an empty table as `{}`, so an empty list comes
 * back as an object.
 */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parseStrings(reply: unknown): string[] {
  return asArray(JSON.parse(String(reply))).filter(
    (item): item is string => typeof item === 'string',
  );
}
