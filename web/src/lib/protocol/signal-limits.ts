/**
 * Limits of relayed signalling frames (DESIGN §3), enforced by the signal server and the
 * transport. Apart from limits.ts: the first screen never parses them.
 */

/** Upper bound for the SDP text of a relayed OFFER or ANSWER (Chromium's audio+video offer: ~5 KB). */
export const MAX_SDP_CHARS = 16_384;

/** Upper bound for one ICE candidate line in a relayed CANDIDATE (real ones are under 300). */
export const MAX_CANDIDATE_CHARS = 1_024;

/** Upper bound for an ICE candidate's m-line index (an SDP with this many media sections is not ours). */
export const MAX_SDP_MLINE_INDEX = 1_023;
