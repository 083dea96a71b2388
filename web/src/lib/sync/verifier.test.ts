import { beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSignedEvent } from '../testing/factories';
import { makeKeyPool, poolKeys } from '../testing/sync-net';
import type { StoredEvent, Unverified } from '../protocol/events';
import type { RoomKey } from '../protocol/ids';
import { MIN_WORKER_JOBS, verifyHere, WorkerVerifier, type VerifyJob } from './verifier';
import { answerVerifyRequest, isVerifyAnswer } from './verify-requests';

beforeAll(makeKeyPool);

const ROOM = 'room-verifier-test' as RoomKey;

/** `count` events by key 0, every third one with a signature that is not its own. */
async function jobs(count: number): Promise<VerifyJob[]> {
  const keys = poolKeys(0);
  const made: VerifyJob[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const event = await makeSignedEvent(keys, { conv: ROOM, seq, text: `m${seq}` });
    const forged = seq % 3 === 0 ? { ...event, body: { text: 'changed' } } : event;
    made.push({ event: forged as unknown as Unverified<StoredEvent>, spki: keys.spki });
  }
  return made;
}

describe('verifying received events', () => {
  it('a Worker request is answered with one verdict per job, in order', async () => {
    const request = { id: 7, jobs: await jobs(6) };
    const answer = await answerVerifyRequest(request);
    expect(answer).toEqual({ id: 7, valid: [true, true, false, true, true, false] });
    expect(isVerifyAnswer(answer)).toBe(true);
    expect(isVerifyAnswer({ id: 7, valid: ['yes'] })).toBe(false);
    expect(isVerifyAnswer(null)).toBe(false);
  });

  it('without a Worker (it cannot start) a burst is verified here, the same as verifyHere', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const burst = await jobs(MIN_WORKER_JOBS + 4);
    const verifier = new WorkerVerifier();
    const verified = await verifier.verify(burst);
    expect(verified).toEqual(await verifyHere(burst));
    expect(verified.filter((e) => e === null)).toHaveLength(Math.floor(burst.length / 3));
    // Only the signed fields are kept.
    expect(Object.keys(verified[0] ?? {}).sort()).toEqual(
      ['author', 'body', 'conv', 'hlc', 'kind', 'seq', 'sig', 'v'].sort(),
    );
    verifier.stop();
  });
});
