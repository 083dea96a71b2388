/**
 * Reads a call's WebRTC statistics (DESIGN §8): connection quality from round-trip time and
 * packet loss, whether the path is direct or relayed through TURN, and how many video frames
 * were decoded. Pure: it takes the stats entries, so it is tested without a browser.
 */

/** How the connection is doing. */
export type CallQuality = 'good' | 'fair' | 'poor';

/** Direct (host, server- or peer-reflexive candidates) or relayed (a TURN candidate). */
export type CallPath = 'direct' | 'relayed';

/** What the stats say about one media connection. */
export interface CallStatsSummary {
  /** Null until a candidate pair is in use. */
  quality: CallQuality | null;
  /** Null until a candidate pair is in use. */
  path: CallPath | null;
  /** Round-trip time of the pair in use, ms (null if unknown). */
  rttMs: number | null;
  /** Share of inbound packets lost so far, 0…1 (null before any arrived). */
  lossRatio: number | null;
  /** Video frames decoded so far. */
  framesDecoded: number;
}

/** Round-trip times (ms) up to which a connection is good, then fair; beyond, poor. */
export const GOOD_RTT_MS = 150;
export const FAIR_RTT_MS = 400;
/** Packet loss ratios up to which a connection is good, then fair; beyond, poor. */
export const GOOD_LOSS = 0.02;
export const FAIR_LOSS = 0.08;

/** One entry of a stats report, as far as this module reads it. */
export type RtcStat = Record<string, unknown> & { type: string; id: string };

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Summarises one `RTCPeerConnection.getStats()` report (its values, in any order). */
export function summariseStats(stats: Iterable<RtcStat>): CallStatsSummary {
  const byId = new Map<string, RtcStat>();
  for (const s of stats) byId.set(s.id, s);
  let selected: RtcStat | undefined;
  for (const s of byId.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      selected = byId.get(s.selectedCandidatePairId);
    }
  }
  if (!selected) {
    for (const s of byId.values()) {
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true) {
        selected = s;
        break;
      }
    }
  }
  let received = 0;
  let lost = 0;
  let framesDecoded = 0;
  for (const s of byId.values()) {
    if (s.type !== 'inbound-rtp') continue;
    received += num(s.packetsReceived) ?? 0;
    lost += Math.max(0, num(s.packetsLost) ?? 0);
    if (s.kind === 'video') framesDecoded += num(s.framesDecoded) ?? 0;
  }
  const lossRatio = received + lost > 0 ? lost / (received + lost) : null;
  if (!selected) return { quality: null, path: null, rttMs: null, lossRatio, framesDecoded };
  const rttS = num(selected.currentRoundTripTime);
  const rttMs = rttS === null ? null : Math.round(rttS * 1000);
  const local = byId.get(String(selected.localCandidateId));
  const remote = byId.get(String(selected.remoteCandidateId));
  const isRelayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
  return {
    quality: rateQuality(rttMs, lossRatio),
    path: isRelayed ? 'relayed' : 'direct',
    rttMs,
    lossRatio,
    framesDecoded,
  };
}

/** Good, fair or poor from round-trip time and loss (the worse of the two decides). */
export function rateQuality(rttMs: number | null, lossRatio: number | null): CallQuality {
  const rtt = rttMs ?? 0;
  const loss = lossRatio ?? 0;
  if (rtt > FAIR_RTT_MS || loss > FAIR_LOSS) return 'poor';
  if (rtt > GOOD_RTT_MS || loss > GOOD_LOSS) return 'fair';
  return 'good';
}
