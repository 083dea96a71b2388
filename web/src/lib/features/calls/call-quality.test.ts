import { describe, expect, it } from 'vitest';
import { rateQuality, summariseStats } from './call-quality';

function report({
  localType = 'host',
  remoteType = 'host',
  rttS = 0.02,
  received = 1000,
  lost = 0,
  frames = 30,
  viaTransport = true,
}: Partial<{
  localType: string;
  remoteType: string;
  rttS: number;
  received: number;
  lost: number;
  frames: number;
  viaTransport: boolean;
}> = {}) {
  return [
    viaTransport
      ? { id: 'T1', type: 'transport', selectedCandidatePairId: 'P1' }
      : { id: 'T1', type: 'transport' },
    {
      id: 'P1',
      type: 'candidate-pair',
      state: 'succeeded',
      nominated: true,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      currentRoundTripTime: rttS,
    },
    {
      id: 'P2',
      type: 'candidate-pair',
      state: 'failed',
      localCandidateId: 'L2',
      remoteCandidateId: 'R1',
    },
    { id: 'L1', type: 'local-candidate', candidateType: localType },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay' },
    { id: 'R1', type: 'remote-candidate', candidateType: remoteType },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      packetsReceived: received,
      packetsLost: lost,
      framesDecoded: frames,
    },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost },
  ];
}

describe('summariseStats', () => {
  it('reports a direct, good connection and the decoded frames', () => {
    expect(summariseStats(report())).toEqual({
      quality: 'good',
      path: 'direct',
      rttMs: 20,
      lossRatio: 0,
      framesDecoded: 30,
    });
  });

  it.each([
    ['our side', { localType: 'relay' }],
    ['their side', { remoteType: 'relay' }],
  ])('reports a relayed path when %s uses a TURN candidate', (_what, options) => {
    expect(summariseStats(report(options)).path).toBe('relayed');
  });

  it('treats server-reflexive candidates as direct', () => {
    expect(summariseStats(report({ localType: 'srflx', remoteType: 'prflx' })).path).toBe('direct');
  });

  it('finds the nominated pair when the transport names none', () => {
    expect(summariseStats(report({ viaTransport: false })).rttMs).toBe(20);
  });

  it('rates by round-trip time and loss', () => {
    expect(summariseStats(report({ rttS: 0.3 })).quality).toBe('fair');
    expect(summariseStats(report({ rttS: 0.5 })).quality).toBe('poor');
    expect(summariseStats(report({ received: 950, lost: 50 })).quality).toBe('fair');
    expect(summariseStats(report({ received: 800, lost: 200 })).quality).toBe('poor');
  });

  it('knows nothing before a pair is in use', () => {
    expect(summariseStats([{ id: 'x', type: 'codec' }])).toEqual({
      quality: null,
      path: null,
      rttMs: null,
      lossRatio: null,
      framesDecoded: 0,
    });
  });
});

describe('rateQuality', () => {
  it('is good without measurements', () => {
    expect(rateQuality(null, null)).toBe('good');
  });
  it('takes the worse of round-trip time and loss', () => {
    expect(rateQuality(20, 0.1)).toBe('poor');
    expect(rateQuality(500, 0)).toBe('poor');
    expect(rateQuality(200, 0)).toBe('fair');
  });
});
