import { describe, expect, it } from 'vitest';
import { MAX_SIGNAL_FRAME_DEPTH } from './config.js';
import { exceedsJsonDepth, inspectFrame, type GuardLimits } from './relay-guard.js';
import { makeCandidate, makeOffer } from './testing/harness.js';

const limits: GuardLimits = { maxFrameBytes: 16_384, maxDepth: MAX_SIGNAL_FRAME_DEPTH };

function inspect(frame: unknown) {
  const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
  return inspectFrame(text, Buffer.byteLength(text), limits);
}

describe('inspectFrame', () => {
  it("passes PeerServer's HEARTBEAT and our X- frames through", () => {
    expect(inspect({ type: 'HEARTBEAT' })).toEqual({ kind: 'pass', type: 'HEARTBEAT' });
    expect(inspect({ type: 'X-ROOM-JOIN', payload: {} })).toEqual({
      kind: 'pass',
      type: 'X-ROOM-JOIN',
    });
  });

  it('relays the offers, answers and candidates PeerJS sends, keeping only their fields', () => {
    const offer = makeOffer('peer-b');
    expect(inspect({ ...offer, src: 'spoofed', extra: 1 })).toEqual({
      kind: 'relay',
      frame: offer,
    });
    const media = makeOffer('peer-b', {
      payload: { type: 'media', label: undefined, reliable: undefined, serialization: undefined },
    });
    expect(inspect(media).kind).toBe('relay');
    const answer = {
      type: 'ANSWER',
      dst: 'peer-a',
      payload: { sdp: { type: 'answer', sdp: 'v=0' }, type: 'media', connectionId: 'mc_x1' },
    };
    expect(inspect(answer)).toEqual({ kind: 'relay', frame: answer });
    const candidate = makeCandidate('peer-a');
    expect(inspect(candidate)).toEqual({ kind: 'relay', frame: candidate });
    const nulls = makeCandidate('peer-a') as { payload: { candidate: object } };
    nulls.payload.candidate = { candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null };
    expect(inspect(nulls).kind).toBe('relay');
  });

  it('refuses what is too large or too deep before parsing it', () => {
    const big = JSON.stringify(makeOffer('peer-b', { sdp: 'v'.repeat(17_000) }));
    expect(inspect(big)).toEqual({ kind: 'refuse', reason: 'too-large', dst: null });
    const deep = `{"type":"OFFER","dst":"b","payload":${'['.repeat(9)}${']'.repeat(9)}}`;
    expect(inspect(deep)).toEqual({ kind: 'refuse', reason: 'too-deep', dst: null });
    // Brackets inside strings are text, not nesting.
    const quoted = makeOffer('peer-b', { sdp: '[[[[[[[[[[{{{{{{{{{{\\"[[[[' });
    expect(inspect(quoted).kind).toBe('relay');
  });

  it('refuses relayed types of the wrong shape, naming a well-formed destination', () => {
    expect(inspect({ type: 'OFFER', dst: 'peer-b', payload: {} })).toEqual({
      kind: 'refuse',
      reason: 'invalid',
      dst: 'peer-b',
    });
    expect(inspect({ type: 'CANDIDATE', dst: '<script>', payload: {} })).toEqual({
      kind: 'refuse',
      reason: 'invalid',
      dst: null,
    });
  });

  it('drops junk and the types clients never send, silently', () => {
    for (const frame of [
      'not json',
      '[]',
      'null',
      '{"type":7}',
      { type: 'LEAVE' },
      { type: 'LEAVE', dst: 'peer-b' },
      { type: 'EXPIRE', dst: 'peer-b' },
      { type: 'OPEN' },
      { type: 'ID-TAKEN' },
    ]) {
      expect(inspect(frame).kind).toBe('drop');
    }
  });
});

describe('exceedsJsonDepth', () => {
  it('counts brackets outside strings, escapes included', () => {
    expect(exceedsJsonDepth('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(exceedsJsonDepth('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":"[[[[\\"[[[["}', 1)).toBe(false);
    expect(exceedsJsonDepth('[[[[[', 4)).toBe(true);
  });

  it('stops at the first level too many, whatever follows', () => {
    const hostile = `${'['.repeat(1_000_000)}`;
    expect(exceedsJsonDepth(hostile, 8)).toBe(true);
  });
});
