/**
 * The ICE servers the signal server sends on the signalling socket (`X-ICE`, DESIGN §3), checked
 * at the boundary. They come right after OPEN and again before TURN credentials lapse, only to a
 * live session; there is nothing to fetch, so a transport never waits for them.
 */
import * as v from 'valibot';
import { createLogger } from '../log';
import { iceFrameSchema, iceServerSchema } from '../protocol/room-frames';

const log = createLogger('ice');

/** The ICE servers in an `X-ICE` payload; malformed entries are dropped with a warning. */
export function parseIceServers(payload: unknown): RTCIceServer[] {
  const list =
    typeof payload === 'object' && payload !== null && 'iceServers' in payload
      ? payload.iceServers
      : null;
  if (!Array.isArray(list)) {
    log.warn('ignored ICE servers without an iceServers list');
    return [];
  }
  return list.flatMap((entry: unknown): RTCIceServer[] => {
    const parsed = v.safeParse(iceServerSchema, entry);
    if (parsed.success) return [parsed.output];
    log.warn('ignored a malformed ICE server entry:', v.summarize(parsed.issues));
    return [];
  });
}

/**
 * The ICE servers of a signalling-socket message if it is an `X-ICE` frame (as PeerJS parsed it,
 * or as text), else null; never throws.
 */
export function parseIceFrame(raw: unknown): RTCIceServer[] | null {
  let frame: unknown = raw;
  if (typeof raw === 'string') {
    try {
      frame = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (typeof frame !== 'object' || frame === null || !('type' in frame)) return null;
  if (frame.type !== 'X-ICE') return null;
  const parsed = v.safeParse(iceFrameSchema, frame);
  if (!parsed.success) {
    log.warn('ignored a malformed X-ICE frame:', v.summarize(parsed.issues));
    return [];
  }
  return parseIceServers(parsed.output.payload);
}
