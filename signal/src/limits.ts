/**
 * The signal server's guards, as pure functions and small classes over plain values: token
 * buckets (one per socket, or one per client address), the WebSocket Origin check and the client
 * address behind proxies. Room-key and peer-id formats live with the frames (room-frames.ts).
 */

/**
 * Token bucket: holds up to `burst` tokens, refills `perSec` tokens a second; a message takes
 * one, or its size in bytes for a byte budget. The clock is passed in so the bucket stays pure.
 */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #updatedAtMs: number;

  constructor(burst: number, perSec: number, nowMs: number) {
    this.#burst = burst;
    this.#perMs = perSec / 1000;
    this.#tokens = burst;
    this.#updatedAtMs = nowMs;
  }

  /** Takes `amount` tokens if there are that many; false means the caller is over its rate. */
  tryTake(nowMs: number, amount = 1): boolean {
    this.#refill(nowMs);
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }

  /** True when the bucket has refilled completely by `nowMs` (it can be forgotten). */
  isFullAt(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.#burst;
  }

  #refill(nowMs: number): void {
    // A clock that steps backwards must not mint tokens, nor leave the bucket stuck.
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#updatedAtMs = nowMs;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedMs * this.#perMs);
  }
}

/**
 * One {@link TokenBucket} per key (a client address), created on first use. Full buckets carry
 * no information, so they are dropped when the map grows past `maxKeys`; if that is not enough,
 * the oldest keys go (they are refused at most a little less than they should be).
 */
export class KeyedTokenBuckets {
  readonly #burst: number;
  readonly #perSec: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(burst: number, perSec: number, maxKeys: number) {
    this.#burst = burst;
    this.#perSec = perSec;
    this.#maxKeys = maxKeys;
  }

  /** Takes `amount` tokens from `key`'s bucket; false means `key` is over its rate. */
  tryTake(key: string, nowMs: number, amount = 1): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#prune(nowMs);
      bucket = new TokenBucket(this.#burst, this.#perSec, nowMs);
      this.#buckets.set(key, bucket);
    }
    return bucket.tryTake(nowMs, amount);
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  #prune(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFullAt(nowMs)) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < this.#maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}

/** Inputs to {@link isOriginAllowed}, as they arrive on the upgrade request. */
export interface OriginCheck {
  /** The `Origin` request header, if any. */
  origin: string | undefined;
  /** The `Host` request header, if any. */
  host: string | undefined;
  /** Extra origins allowed besides our own, normalised (see config); `'*'` allows any. */
  allowedOrigins: readonly string[];
}

/**
 * Blocks cross-site WebSocket hijacking: a browser always sends `Origin` on a WebSocket
 * handshake, so a page on another site can only reach us if its origin is listed. Our own
 * origin (Origin's host equals the Host header) is always allowed. A request with no Origin
 * is allowed: it cannot come from a browser page, and non-browser clients (tests, benchmarks,
 * monitoring) send none — they could forge any Origin anyway.
 */
export function isOriginAllowed({ origin, host, allowedOrigins }: OriginCheck): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes('*')) return true;
  const parsed = parseOrigin(origin);
  if (parsed === null) return false; // includes the opaque origin "null"
  if (allowedOrigins.includes(parsed.origin)) return true;
  if (host === undefined) return false;
  // Parse Host with the Origin's scheme so default ports compare equal ("a:443" vs "https://a").
  const hostUrl = parseOrigin(`${parsed.protocol}//${host}`);
  const isBareHost = hostUrl !== null && hostUrl.username === '' && hostUrl.pathname === '/';
  return isBareHost && hostUrl.host === parsed.host;
}

function parseOrigin(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/**
 * The address to count a connection against. Behind `trustedProxyHops` reverse proxies every
 * socket comes from the nearest proxy, and each proxy appends the address it saw to
 * `X-Forwarded-For`; the client is the entry that many hops from the right. Entries further left
 * are client-supplied and would let anyone dodge the per-IP caps, so they are never used. With no
 * proxies configured the header is ignored.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxyHops: number,
): string {
  const hop = forwardedHop(forwardedFor, trustedProxyHops);
  return normaliseAddress(hop ?? remoteAddress ?? 'unknown');
}

/**
 * The entry of a comma-list forwarding header (`X-Forwarded-For`, `X-Forwarded-Proto`) that our
 * own `trustedProxyHops` proxies vouch for: that many from the right, or the left-most when the
 * list is shorter (the request passed fewer proxies). Null when not proxied or no header.
 */
export function forwardedHop(
  header: string | string[] | undefined,
  trustedProxyHops: number,
): string | null {
  if (trustedProxyHops <= 0 || header === undefined) return null;
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return null;
  return entries[Math.max(0, entries.length - trustedProxyHops)] ?? null;
}

/** True for 127.0.0.0/8 and ::1 (after {@link clientAddress}'s normalisation). */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** Counts an IPv4 client the same whether it arrived on an IPv4 or a dual-stack socket. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
