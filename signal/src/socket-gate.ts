import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { RelayFrame, RelayRefusalReason } from '../../web/src/lib/protocol/room-frames.js';
import {
  ABUSER_CLOSE_GRACE_MS,
  MAX_SEND_BUFFER_BYTES,
  MAX_SIGNAL_FRAME_DEPTH,
  MIN_TRACKED_ADDRESSES,
  type SignalConfig,
} from './config.js';
import type { PooledConnection } from './admission.js';
import { KeyedTokenBuckets, TokenBucket } from './limits.js';
import { redact, type Logger } from './log.js';
import type { RateLimit } from './metrics.js';
import { inspectFrame, type GuardLimits } from './relay-guard.js';

/**
 * Everything that happens to a frame between the wire and PeerServer: the rate limits (frames and
 * bytes per socket, bytes per client address), then relay-guard.ts's verdict. Frames PeerServer
 * should see (HEARTBEAT, our `X-` frames) go on to it; relayed ones go to our relay; the rest
 * stop here.
 */

/** WebSocket close codes we send. */
export const CLOSE_POLICY_VIOLATION = 1008;
/** Application code: closed to admit a newcomer while the server is full. */
export const CLOSE_EVICTED = 4001;

/** One admitted signalling socket (admission.ts counts it from the handshake on). */
export class SignalSocket implements PooledConnection {
  readonly address: string;
  readonly connectedAtMs: number;
  lastActiveAtMs: number;
  /** The peer ID PeerServer registered it under, once it has. */
  peerId: string | null = null;
  /** The WebSocket, once the upgrade has completed. */
  ws: WebSocket | null = null;
  /** Frames this socket may still send. */
  readonly frames: TokenBucket;
  /** Bytes this socket may still send. */
  readonly bytes: TokenBucket;
  readonly #tcp: Socket;

  constructor(address: string, tcp: Socket, nowMs: number, config: SignalConfig) {
    this.address = address;
    this.connectedAtMs = nowMs;
    this.lastActiveAtMs = nowMs;
    this.#tcp = tcp;
    this.frames = new TokenBucket(
      config.rateLimitBurstMessages,
      config.rateLimitMessagesPerSec,
      nowMs,
    );
    this.bytes = new TokenBucket(config.rateLimitBurstBytes, config.rateLimitBytesPerSec, nowMs);
  }

  /**
   * Closes with `code`, and cuts the connection if the client does not finish closing soon. For an
   * abuser, stops reading at once: a flooder keeps sending after our close frame, and reading (and
   * unmasking) megabytes of frames nobody will look at is work it could make us do.
   */
  close(code: number, reason: string, isAbuser = false): void {
    const ws = this.ws;
    if (!ws) {
      this.#tcp.destroy();
      return;
    }
    ws.close(code, reason);
    if (isAbuser) ws.pause();
    // A flooder need not answer our close frame; do not wait ws's 30 s for it.
    setTimeout(() => ws.terminate(), ABUSER_CLOSE_GRACE_MS).unref();
  }
}

/** What the gate needs from the rest of the server. */
export interface GateDeps {
  config: SignalConfig;
  log: Logger;
  /** The state of an upgraded socket. */
  socketOf(ws: WebSocket): SignalSocket | undefined;
  /**
   * Relays `frame` from the peer registered on `socket`; returns a refusal, if any (later, when
   * the frame had to go through Redis).
   */
  relay(
    socket: SignalSocket,
    frame: RelayFrame,
    nowMs: number,
  ): RelayRefusalReason | null | Promise<RelayRefusalReason | null>;
  /** Counts a frame refused before relaying. */
  onRefused(reason: RelayRefusalReason): void;
  /** Counts a socket closed for its rate. */
  onRateLimited(limit: RateLimit): void;
}

/** Decides, for a frame that arrived on `ws`, whether PeerServer may see it. */
export type InboundGate = (ws: WebSocket, data: unknown) => boolean;

export function createInboundGate(deps: GateDeps): InboundGate {
  const { config, log } = deps;
  const bytesPerAddress = new KeyedTokenBuckets(
    config.rateLimitBurstBytesPerIp,
    config.rateLimitBytesPerSecPerIp,
    Math.max(MIN_TRACKED_ADDRESSES, config.maxConnections),
  );
  const guardLimits: GuardLimits = {
    maxFrameBytes: config.maxSignalFrameBytes,
    maxDepth: MAX_SIGNAL_FRAME_DEPTH,
  };

  const closeForRate = (socket: SignalSocket, limit: RateLimit): false => {
    log.warn('closing signalling socket: rate limit exceeded', {
      limit,
      address: redact(socket.address),
    });
    deps.onRateLimited(limit);
    socket.close(CLOSE_POLICY_VIOLATION, 'rate limit exceeded', true);
    return false;
  };

  return (ws, data) => {
    // After close(), ws keeps emitting 'message' until the peer's close frame arrives (or 30 s
    // pass); none of that may be processed.
    if (ws.readyState !== WebSocket.OPEN) return false;
    const socket = deps.socketOf(ws);
    if (!socket) return false;
    const { text, bytes } = readFrame(data);
    const nowMs = Date.now();
    if (!socket.frames.tryTake(nowMs)) return closeForRate(socket, 'frames');
    if (!socket.bytes.tryTake(nowMs, bytes)) return closeForRate(socket, 'bytes');
    if (!bytesPerAddress.tryTake(socket.address, nowMs, bytes)) {
      return closeForRate(socket, 'bytes-per-ip');
    }

    const inspection = inspectFrame(text, bytes, guardLimits);
    switch (inspection.kind) {
      case 'pass':
        if (inspection.type !== 'HEARTBEAT') socket.lastActiveAtMs = nowMs;
        return true;
      case 'relay': {
        socket.lastActiveAtMs = nowMs;
        const { dst } = inspection.frame;
        const refusal = deps.relay(socket, inspection.frame, nowMs);
        if (refusal instanceof Promise) {
          refusal.then(
            (reason) => {
              if (reason && ws.readyState === WebSocket.OPEN) refuse(ws, dst, reason);
            },
            (error: unknown) => log.debug('relay failed', { error: String(error) }),
          );
        } else if (refusal) {
          refuse(ws, dst, refusal);
        }
        return false;
      }
      case 'refuse':
        deps.onRefused(inspection.reason);
        refuse(ws, inspection.dst, inspection.reason);
        return false;
      case 'drop':
        log.debug('dropped a signalling frame', { why: inspection.why });
        return false;
      default:
        return assertNever(inspection);
    }
  };
}

/** Tells the sender its frame was dropped, unless it is not reading what we send it. */
function refuse(ws: WebSocket, dst: string | null, reason: RelayRefusalReason): void {
  const data = JSON.stringify({ type: 'X-RELAY-REFUSED', payload: { dst, reason } });
  if (ws.bufferedAmount + data.length > MAX_SEND_BUFFER_BYTES) return;
  ws.send(data);
}

/**
 * The frame as text, as PeerServer reads it (`data.toString()`, binary frames included), and its
 * size on the wire.
 */
function readFrame(data: unknown): { text: string; bytes: number } {
  let buffer: Buffer;
  if (Buffer.isBuffer(data)) buffer = data;
  else if (Array.isArray(data)) buffer = Buffer.concat(data as Buffer[]);
  else if (data instanceof ArrayBuffer) buffer = Buffer.from(data);
  else buffer = Buffer.from(String(data));
  return { text: buffer.toString(), bytes: buffer.length };
}

function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/**
 * A ws WebSocket class (ws's `WebSocket` server option) whose 'message' events pass `gate` first.
 * Intercepting `emit` is the one point every listener — PeerServer's included — sits behind; a
 * listener of our own could count frames but not stop PeerServer from seeing them.
 */
export function gatedWebSocketClass(gate: InboundGate): typeof WebSocket {
  return class GatedWebSocket extends WebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && !gate(this, args[0])) return false;
      return super.emit(event, ...args);
    }
  };
}
