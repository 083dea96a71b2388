import { createHmac } from 'node:crypto';
import type { SignalConfig } from './config.js';

/** One entry of RTCConfiguration.iceServers, as browsers take it. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** `GET /ice` body. */
export interface IceReport {
  iceServers: IceServer[];
}

/**
 * The ICE servers for a browser. TURN credentials follow coturn's `use-auth-secret` REST scheme:
 * username = "<expiry unix seconds>:parley", credential = base64(HMAC-SHA1(secret, username)),
 * so coturn verifies them statelessly and they lapse on their own. Nothing configured → `[]`,
 * which works on one machine or a LAN (host candidates only).
 */
export function iceServersFor(
  config: Pick<SignalConfig, 'stunUrls' | 'turnUrls' | 'turnSecret' | 'turnTtlS'>,
  nowMs: number,
): IceReport {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length > 0) iceServers.push({ urls: [...config.stunUrls] });
  if (config.turnUrls.length > 0 && config.turnSecret) {
    const expiresS = Math.floor(nowMs / 1000) + config.turnTtlS;
    const username = `${expiresS}:parley`;
    const credential = createHmac('sha1', config.turnSecret).update(username).digest('base64');
    iceServers.push({ urls: [...config.turnUrls], username, credential });
  }
  return { iceServers };
}
