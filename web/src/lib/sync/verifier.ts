/**
 * Who verifies received events' signatures (DESIGN §6 "Receiving in bursts"): the main thread
 * for a few (a live message: a round trip to a Worker would cost more than the check), a Worker
 * for a burst (a history: thousands of checks that would otherwise hold up rendering). If the
 * Worker cannot start or fails, everything is verified on the main thread from then on.
 */
import { signedCopy, verifyEvent } from '../domain/verify-event';
import { createLogger } from '../log';
import type { StoredEvent } from '../protocol/events';
import { isVerifyAnswer, type VerifyJob } from './verify-requests';

export type { VerifyJob } from './verify-requests';

const log = createLogger('sync');

/** Verifies jobs; for each, the verified event (only its signed fields) or null. */
export type VerifyEvents = (jobs: readonly VerifyJob[]) => Promise<(StoredEvent | null)[]>;

/** A Worker that has not answered a request by then is given up (verified here instead). */
const VERIFY_TIMEOUT_MS = 15_000;

/** Fewer jobs than this are verified on the main thread. */
export const MIN_WORKER_JOBS = 32;

/** Verifies on the thread it runs in. */
export const verifyHere: VerifyEvents = (jobs) =>
  Promise.all(jobs.map((job) => verifyEvent(job.event, job.spki)));

/** Verifies bursts in a Worker (started on first use), a few jobs here. */
export class WorkerVerifier {
  #worker: Worker | null = null;
  #isFailed = false;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (valid: boolean[]) => void; reject: (error: Error) => void }
  >();

  /** See VerifyEvents. */
  readonly verify: VerifyEvents = async (jobs) => {
    if (jobs.length < MIN_WORKER_JOBS || this.#isFailed) return verifyHere(jobs);
    try {
      const valid = await this.#ask(jobs);
      return jobs.map((job, i) => (valid[i] === true ? signedCopy(job.event) : null));
    } catch (error) {
      log.warn('verifying in a Worker failed; verifying here from now on', error);
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      return verifyHere(jobs);
    }
  };

  /** Ends the Worker; what it was verifying is verified here. */
  stop(): void {
    this.#worker?.terminate();
    this.#worker = null;
    for (const pending of this.#pending.values()) pending.reject(new Error('verifier stopped'));
    this.#pending.clear();
  }

  #ask(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<boolean[]>((resolve, reject) => {
      // A Worker that never answers must not hold the history up for good.
      const timer = setTimeout(() => {
        if (this.#pending.delete(id)) reject(new Error('verify worker did not answer'));
      }, VERIFY_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (valid) => {
          clearTimeout(timer);
          resolve(valid);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.postMessage({ id, jobs });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      const answer = event.data;
      if (!isVerifyAnswer(answer)) return;
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      pending?.resolve(answer.valid);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#fail(new Error(`verify worker: ${event.message}`));
    });
    this.#worker = worker;
    return worker;
  }

  #fail(error: Error): void {
    this.#isFailed = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.stop();
  }
}
