import type { IncomingMessage } from 'node:http';
import type { VerifyClientCallbackAsync } from 'ws';
import type { ConnectionPool } from './admission.js';
import type { SignalConfig } from './config.js';
import type { ClaimOutcome } from './peer-directory.js';
import { clientAddress, isOriginAllowed } from './limits.js';
import { describeError, redact, type Logger } from './log.js';
import type { SocketRefusal } from './metrics.js';
import { CLOSE_EVICTED, SignalSocket } from './socket-gate.js';

/**
 * ws's handshake hook, run before PeerServer sees the socket (so a refused client never gets an
 * ID registered): the Origin allow-list (403); a node that is draining or cannot reach Redis
 * (503); admission.ts — the per-address cap and handshake rate (429) and the global limit, which
 * may evict an idle socket to make room (503 when it cannot); then the peer directory — an ID held
 * by another node for another token, or still reserved for its owner's token (409).
 */

/** What the handshake needs from the server. */
export interface HandshakeDeps {
  config: SignalConfig;
  log: Logger;
  pool: ConnectionPool<SignalSocket>;
  /** Takes `id` for `token` if it may be had (peer-directory.ts), after the peer's earlier work. */
  claim: (id: string, token: string, nowMs: number) => Promise<ClaimOutcome>;
  /** A claimed ID whose socket closed before PeerServer registered it: hold it for `token`. */
  onAbandoned: (id: string, token: string) => void;
  /** Why new sockets are refused right now (503), or null when they are welcome. */
  unavailable: () => 'draining' | 'redis-unavailable' | null;
  /** True when `peerId` has a live session (PeerServer then decides: re-attach or ID-TAKEN). */
  isConnected: (peerId: string) => boolean;
  /** True when the socket's peer is in no room (an eviction candidate). */
  isIdle: (socket: SignalSocket) => boolean;
  /** Counts a refusal. */
  onRefused: (reason: SocketRefusal) => void;
  /** Counts an eviction. */
  onEvicted: () => void;
}

/** The admitted socket of each upgrade request, until ws's 'connection' hands over the WebSocket. */
export type PendingSockets = WeakMap<IncomingMessage, SignalSocket>;

export function verifyClientFor(
  deps: HandshakeDeps,
  pending: PendingSockets,
): VerifyClientCallbackAsync {
  const { config, log, pool } = deps;
  const refuse = (
    done: Parameters<VerifyClientCallbackAsync>[1],
    reason: SocketRefusal,
    status: number,
    message: string,
  ): void => {
    deps.onRefused(reason);
    done(false, status, message);
  };

  return ({ origin, req }, done) => {
    // ws's typing says string, but the header may be absent.
    const originHeader = origin as string | undefined;
    const { allowedOrigins } = config;
    if (!isOriginAllowed({ origin: originHeader, host: req.headers.host, allowedOrigins })) {
      log.warn('refused signalling socket: origin not allowed', {
        origin: originHeader?.slice(0, 100),
      });
      refuse(done, 'origin', 403, 'Origin not allowed');
      return;
    }

    const unavailable = deps.unavailable();
    if (unavailable) {
      log.debug('refused signalling socket: node not ready', { why: unavailable });
      refuse(done, unavailable, 503, 'Service unavailable');
      return;
    }

    const nowMs = Date.now();
    const address = clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      config.trustedProxyHops,
    );
    const admission = pool.admit(
      address,
      nowMs,
      () => new SignalSocket(address, req.socket, nowMs, config),
      deps.isIdle,
    );
    switch (admission.status) {
      case 'address-full':
        log.warn('refused signalling socket: too many connections from one address', {
          address: redact(address),
        });
        refuse(done, 'address-full', 429, 'Too many connections');
        return;
      case 'too-fast':
        // Debug, not warn: a client hammering us would otherwise fill the log (/metrics counts it).
        log.debug('refused signalling socket: too many new connections from one address', {
          address: redact(address),
        });
        refuse(done, 'too-fast', 429, 'Too many new connections');
        return;
      case 'server-full':
        log.warn('refused signalling socket: server full');
        refuse(done, 'server-full', 503, 'Server full');
        return;
      case 'admitted': {
        const { connection, evicted } = admission;
        if (evicted) {
          log.info('closed a signalling socket to admit a newcomer', {
            address: redact(evicted.address),
          });
          deps.onEvicted();
          evicted.close(CLOSE_EVICTED, 'server full');
        }
        pending.set(req, connection);
        const { id, token } = peerQuery(req.url);
        let claimed: { id: string; token: string } | null = null;
        // The TCP socket, not the WebSocket: it closes even when the upgrade never completes.
        req.socket.once('close', () => {
          pool.release(connection);
          if (claimed && connection.peerId === null) deps.onAbandoned(claimed.id, claimed.token);
        });
        if (!id || !token || deps.isConnected(id)) {
          done(true);
          return;
        }
        deps.claim(id, token, nowMs).then(
          (outcome) => {
            if (outcome === 'ok') {
              claimed = { id, token };
              if (req.socket.destroyed) deps.onAbandoned(id, token);
              else done(true);
              return;
            }
            pool.release(connection);
            pending.delete(req);
            log.warn(
              outcome === 'taken'
                ? 'refused signalling socket: peer ID held on another node'
                : 'refused signalling socket: peer ID reserved for its owner',
              { peer: redact(id) },
            );
            if (outcome === 'taken') refuse(done, 'id-taken', 409, 'ID taken');
            else refuse(done, 'id-reserved', 409, 'ID reserved');
          },
          (error: unknown) => {
            pool.release(connection);
            pending.delete(req);
            log.debug('refused signalling socket: the peer directory did not answer', {
              ...describeError(error),
            });
            refuse(done, 'redis-unavailable', 503, 'Service unavailable');
          },
        );
        return;
      }
      default:
        assertNever(admission);
    }
  };
}

/**
 * `id` and `token` from the signalling URL's query, read exactly as PeerServer 1.0.2 reads them
 * (`Object.fromEntries(searchParams.entries())`: the last of repeated keys wins), so a repeated
 * `id` cannot make us check one ID while PeerServer registers another.
 */
export function peerQuery(url: string | undefined): { id: string | null; token: string | null } {
  const { searchParams } = new URL(url ?? '', 'https://peerjs');
  const { id, token } = Object.fromEntries(searchParams.entries());
  return { id: id || null, token: token || null };
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
