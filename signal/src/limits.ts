/**
 * The signal server's guards, as pure functions and small classes over plain values: room-key
 * format, a per-client token bucket, a per-IP connection counter and the WebSocket Origin check.
 */

/** A room key that has passed {@link isRoomKey}. */
export type RoomKey = string & { readonly __brand: 'RoomKey' };

/**
 * base64url (no padding) of a 32-byte SHA-256 digest: 43 characters, and because 43 × 6 = 258
 * bits, the last character carries only 4 data bits, so a canonical encoding ends in one of
 * the 16 characters whose low 2 bits are zero. Rejecting the other 48 keeps one spelling per key.
 */
const ROOM_KEY_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** True when `value` is a canonical base64url SHA-256 digest (DESIGN §3 room key). */
export function isRoomKey(value: unknown): value is RoomKey {
  return typeof value === 'string' && ROOM_KEY_PATTERN.test(value);
}

/**
 * Token bucket: holds up to `burst` tokens, refills `perSec` tokens a second, and each message
 * takes one. The clock is passed in so the bucket stays pure and testable.
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

  /** Takes one token if there is one; false means the caller is over its rate. */
  tryTake(nowMs: number): boolean {
    // A clock that steps backwards must not mint tokens, nor leave the bucket stuck.
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#updatedAtMs = nowMs;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedMs * this.#perMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Counts open connections per client address and refuses more than `max` at once. */
export class ConnectionCounter {
  readonly #max: number;
  readonly #openByAddress = new Map<string, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** Reserves a slot for `address`; false when it already holds `max`. */
  tryAcquire(address: string): boolean {
    const open = this.#openByAddress.get(address) ?? 0;
    if (open >= this.#max) return false;
    this.#openByAddress.set(address, open + 1);
    return true;
  }

  /** Frees a slot taken by {@link tryAcquire}; call exactly once per successful acquire. */
  release(address: string): void {
    const open = this.#openByAddress.get(address) ?? 0;
    if (open <= 1) this.#openByAddress.delete(address);
    else this.#openByAddress.set(address, open - 1);
  }

  /** Open connections for `address`. */
  openFor(address: string): number {
    return this.#openByAddress.get(address) ?? 0;
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
 * The address to count a connection against. Behind a reverse proxy every socket comes from the
 * proxy, so we take the right-most `X-Forwarded-For` entry: the one our proxy appended. Entries
 * to its left are client-supplied and would let anyone dodge the per-IP cap.
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  isProxied: boolean,
): string {
  if (isProxied && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
    const last = header.split(',').at(-1)?.trim();
    if (last) return normaliseAddress(last);
  }
  return normaliseAddress(remoteAddress ?? 'unknown');
}

/** Counts an IPv4 client the same whether it arrived on an IPv4 or a dual-stack socket. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
