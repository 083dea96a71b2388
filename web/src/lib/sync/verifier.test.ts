import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeSignedEvent } from '../testing/factories';
import { makeKeyPool, poolKeys } from '../testing/sync-net';
import type { StoredEvent, Unverified } from '../protocol/events';
import type { RoomKey } from '../protocol/ids';
import {
  MAX_VERIFY_WORKERS,
  MIN_WORKER_JOBS,
  verifyHere,
  WorkerVerifier,
  type VerifyJob,
} from './verifier';
import type { VerifyRequest } from './verify-requests';
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

  describe('in Workers', () => {
    /** Each Worker started, with the requests it was sent; `lie` makes them answer short. */
    const started: { requests: VerifyRequest[] }[] = [];
    let lie = false;
    class FakeVerifyWorker extends EventTarget {
      readonly requests: VerifyRequest[] = [];
      constructor() {
        super();
        started.push(this);
      }
      postMessage(request: VerifyRequest): void {
        this.requests.push(request);
        void answerVerifyRequest(request).then((answer) => {
          const data = lie ? { ...answer, valid: answer.valid.slice(1) } : answer;
          this.dispatchEvent(new MessageEvent('message', { data }));
        });
      }
      terminate(): void {}
    }

    beforeEach(() => {
      started.length = 0;
      lie = false;
      vi.stubGlobal('Worker', FakeVerifyWorker);
      vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    });
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('splits a burst over the Workers, its verdicts back in order', async () => {
      const burst = await jobs(MIN_WORKER_JOBS * 2 + 1);
      const verifier = new WorkerVerifier();
      expect(await verifier.verify(burst)).toEqual(await verifyHere(burst));
      expect(started).toHaveLength(MAX_VERIFY_WORKERS);
      const sizes = started.map((worker) => worker.requests.map((r) => r.jobs.length));
      expect(sizes.flat().reduce((a, b) => a + b, 0)).toBe(burst.length);
      expect(Math.max(...sizes.flat()) - Math.min(...sizes.flat())).toBeLessThanOrEqual(1);
      // The next burst goes to the same Workers.
      await verifier.verify(burst);
      expect(started).toHaveLength(MAX_VERIFY_WORKERS);
      verifier.stop();
    });

    it('starts no Worker once stopped, not even when warmed late', async () => {
      const burst = await jobs(MIN_WORKER_JOBS);
      const verifier = new WorkerVerifier();
      verifier.warm();
      expect(started).toHaveLength(MAX_VERIFY_WORKERS);
      verifier.stop();
      verifier.warm();
      expect(await verifier.verify(burst)).toEqual(await verifyHere(burst));
      expect(started).toHaveLength(MAX_VERIFY_WORKERS);
    });

    it('one Worker on one core', async () => {
      vi.stubGlobal('navigator', { hardwareConcurrency: 1 });
      const burst = await jobs(MIN_WORKER_JOBS);
      const verifier = new WorkerVerifier();
      expect(await verifier.verify(burst)).toEqual(await verifyHere(burst));
      expect(started).toHaveLength(1);
      verifier.stop();
    });

    it('a Worker answering for other jobs is given up: the burst is verified here', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      lie = true;
      const burst = await jobs(MIN_WORKER_JOBS);
      const verifier = new WorkerVerifier();
      expect(await verifier.verify(burst)).toEqual(await verifyHere(burst));
      const before = started.length;
      expect(await verifier.verify(burst)).toEqual(await verifyHere(burst));
      expect(started).toHaveLength(before);
      verifier.stop();
    });
  });
});
