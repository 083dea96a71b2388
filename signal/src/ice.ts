import { createHmac } from 'node:crypto';
import type { IceFrameInput, IceServer } from '../../web/src/lib/protocol/room-frames.js';
import {
  ICE_CREDENTIALS_BURST_PER_IP,
  ICE_CREDENTIALS_PER_IP_PER_MIN,
  type SignalConfig,
} from './config.js';
import { KeyedTokenBuckets } from './limits.js';

/** The ICE settings of the config. */
export type IceConfig = Pick<SignalConfig, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'>;

/**
 * The ICE servers for one signalling session. TURN credentials follow coturn's `use-auth-secret`
 * REST scheme: username = "<expiry unix seconds>:<session tag>", credential =
 * base64(HMAC-SHA1(secret, username)), so coturn verifies them statelessly and they lapse on their
 * own; the tag (a hash of the peer ID, as in our logs) lets an operator trace a relay in coturn's
 * log back to a session. `withTurn: false` leaves TURN out. Nothing configured → `[]`, which works
 * on one machine or a LAN (host candidates only).
 */
export function iceServersFor(
  config: IceConfig,
  nowMs: number,
  sessionTag: string,
  withTurn = true,
): IceServer[] {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length > 0) iceServers.push({ urls: [...config.stunUrls] });
  if (withTurn && config.turnUrls.length > 0 && config.turnSecret) {
    const expiresS = Math.floor(nowMs / 1000) + config.turnTtlS;
    const username = `${expiresS}:${sessionTag}`;
    const credential = createHmac('sha1', config.turnSecret).update(username).digest('base64');
    iceServers.push({ urls: [...config.turnUrls], username, credential });
  }
  return iceServers;
}

/** An `X-ICE` frame for one session. */
export interface IssuedIce {
  /** The session's peer ID. */
  peerId: string;
  /** The frame to send it. */
  frame: IceFrameInput;
  /** Whether it carries a TURN credential (false when the address is over its rate). */
  hasTurn: boolean;
}

/** A session that receives TURN credentials. */
interface IceSession {
  address: string;
  tag: string;
  /** When its current credential was issued; earlier than that when it still needs one. */
  issuedAtMs: number;
}

/**
 * Hands ICE servers to live signalling sessions only (DESIGN §3): an `X-ICE` frame after OPEN,
 * and a fresh one once the last is half-way to expiry, while the socket stays. A client address
 * gets at most ICE_CREDENTIALS_BURST_PER_IP TURN credentials at once and
 * ICE_CREDENTIALS_PER_IP_PER_MIN after that; beyond, a new session gets STUN only until its
 * address slows down (and TURN at a later refresh), so TURN cannot be farmed by churning sockets.
 */
export class IceIssuer {
  readonly #config: IceConfig;
  readonly #turnBudget: KeyedTokenBuckets;
  readonly #sessions = new Map<string, IceSession>();

  constructor(config: IceConfig, maxAddresses: number) {
    this.#config = config;
    this.#turnBudget = new KeyedTokenBuckets(
      ICE_CREDENTIALS_BURST_PER_IP,
      ICE_CREDENTIALS_PER_IP_PER_MIN / 60,
      maxAddresses,
    );
  }

  /** The `X-ICE` frame for a session that has just opened; null when nothing is configured. */
  open(peerId: string, tag: string, address: string, nowMs: number): IssuedIce | null {
    const { stunUrls, turnUrls } = this.#config;
    if (stunUrls.length === 0 && turnUrls.length === 0) return null;
    if (turnUrls.length === 0) {
      return { peerId, frame: this.#frame(nowMs, tag, false), hasTurn: false };
    }
    const hasTurn = this.#turnBudget.tryTake(address, nowMs);
    // Without a credential now, the session is due at once: the next sweep tries again.
    this.#sessions.set(peerId, { address, tag, issuedAtMs: hasTurn ? nowMs : -Infinity });
    return { peerId, frame: this.#frame(nowMs, tag, hasTurn), hasTurn };
  }

  /**
   * Fresh frames for the sessions whose credential is half-way to expiry (or that still lack
   * one), as far as their addresses' budgets allow; the others keep theirs until a later sweep.
   */
  refresh(nowMs: number): IssuedIce[] {
    const halfLifeMs = (this.#config.turnTtlS * 1000) / 2;
    const issued: IssuedIce[] = [];
    for (const [peerId, session] of this.#sessions) {
      if (nowMs - session.issuedAtMs < halfLifeMs) continue;
      if (!this.#turnBudget.tryTake(session.address, nowMs)) continue;
      session.issuedAtMs = nowMs;
      issued.push({ peerId, frame: this.#frame(nowMs, session.tag, true), hasTurn: true });
    }
    return issued;
  }

  /** Stops refreshing `peerId` (its session ended). */
  forget(peerId: string): void {
    this.#sessions.delete(peerId);
  }

  /** Sessions receiving TURN credentials. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  #frame(nowMs: number, tag: string, withTurn: boolean): IceFrameInput {
    return {
      type: 'X-ICE',
      payload: { iceServers: iceServersFor(this.#config, nowMs, tag, withTurn) },
    };
  }
}
