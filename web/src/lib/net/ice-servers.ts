/**
 * The ICE servers the signal server offers at `/ice` (DESIGN §3), checked at the boundary. Loaded
 * with the network code, after the first screen.
 */
import * as v from 'valibot';
import { ICE_CONFIG_PATH, ICE_FETCH_TIMEOUT_MS } from '../config';
import { createLogger } from '../log';

const log = createLogger('ice');

/** One entry of `/ice`: what RTCPeerConnection accepts, nothing else (unknown keys dropped). */
const iceServerSchema = v.object({
  urls: v.union([v.string(), v.pipe(v.array(v.string()), v.nonEmpty())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

/** The ICE servers in a `/ice` body; malformed entries are dropped with a warning. */
export function parseIceServers(body: unknown): RTCIceServer[] {
  const list =
    typeof body === 'object' && body !== null && 'iceServers' in body ? body.iceServers : null;
  if (!Array.isArray(list)) {
    log.warn('ignored an /ice answer without an iceServers list');
    return [];
  }
  return list.flatMap((entry: unknown): RTCIceServer[] => {
    const parsed = v.safeParse(iceServerSchema, entry);
    if (parsed.success) return [parsed.output];
    log.warn('ignored a malformed ICE server entry:', v.summarize(parsed.issues));
    return [];
  });
}

/** ICE servers from the signal server's `/ice` (none configured or no answer in time → `[]`). */
export async function fetchIceServers(origin: URL): Promise<RTCIceServer[]> {
  try {
    const response = await fetch(new URL(ICE_CONFIG_PATH, origin), {
      cache: 'no-store',
      signal: AbortSignal.timeout(ICE_FETCH_TIMEOUT_MS),
    });
    if (!response.ok) return [];
    return parseIceServers(await response.json());
  } catch (error) {
    log.info('no ICE configuration from the server; using host candidates only', error);
    return [];
  }
}
