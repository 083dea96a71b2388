/**
 * Who verifies received events' signatures (DESIGN §6 "Receiving in bursts"): the main thread
 * for a few (a live message: a round trip to a Worker would cost more than the check), a Worker
 * for a burst (a history: thousands of checks that would otherwise hold up rendering), split
 * over two Workers where there are two cores. If a Worker cannot start or fails, everything is
 * verified on the main thread from then on.
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

/**
 * How many Workers verify a burst side by side: WebCrypto verifies on the thread that asks, so
 * two Workers check a burst in half the time where there are two cores (4,096 P-256 checks:
 * 540 ms in one Worker, 265 ms split over two, on a 2-core VM). Bounded: each Worker is a thread
 * with its own memory.
 */
function verifyWorkerCount(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(MAX_VERIFY_WORKERS, cores));
}

/** Most Workers verifying at once. */
export const MAX_VERIFY_WORKERS = 2;

/** Verifies bursts in Workers (started on first use), a few jobs here. */
export class WorkerVerifier {
  #workers: Worker[] = [];
  #isFailed = false;
  /** Stopped for good: no Worker starts again (a late note must not leave threads behind). */
  #isStopped = false;
  #nextId = 1;
  #pending = new Map<
    number,
    { resolve: (valid: boolean[]) => void; reject: (error: Error) => void }
  >();

  /** See VerifyEvents. */
  readonly verify: VerifyEvents = async (jobs) => {
    if (jobs.length < MIN_WORKER_JOBS || this.#isFailed || this.#isStopped) return verifyHere(jobs);
    try {
      const workers = this.#start();
      // Contiguous shares, one per Worker, their verdicts joined back in order.
      const share = Math.ceil(jobs.length / workers.length);
      const verdicts = await Promise.all(
        workers.map((worker, i) => this.#ask(worker, jobs.slice(i * share, (i + 1) * share))),
      );
      const valid = verdicts.flat();
      return jobs.map((job, i) => (valid[i] === true ? signedCopy(job.event) : null));
    } catch (error) {
      log.warn('verifying in a Worker failed; verifying here from now on', error);
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      return verifyHere(jobs);
    }
  };

  /** Starts the Workers now (a burst is on its way), so the first one does not wait for them. */
  warm(): void {
    if (!this.#isFailed && !this.#isStopped) this.#start();
  }

  /** Ends the Workers for good; what they were verifying, and anything after, is verified here. */
  stop(): void {
    this.#isStopped = true;
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
    for (const pending of this.#pending.values()) pending.reject(new Error('verifier stopped'));
    this.#pending.clear();
  }

  #ask(worker: Worker, jobs: readonly VerifyJob[]): Promise<boolean[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    const id = this.#nextId++;
    return new Promise<boolean[]>((resolve, reject) => {
      // A Worker that never answers must not hold the history up for good.
      const timer = setTimeout(() => {
        if (this.#pending.delete(id)) reject(new Error('verify worker did not answer'));
      }, VERIFY_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (valid) => {
          clearTimeout(timer);
          if (valid.length === jobs.length) resolve(valid);
          else reject(new Error('verify worker answered for other jobs'));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.postMessage({ id, jobs });
    });
  }

  #start(): Worker[] {
    if (this.#workers.length > 0) return this.#workers;
    for (let i = 0; i < verifyWorkerCount(); i++) {
      const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), {
        type: 'module',
      });
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
      this.#workers.push(worker);
    }
    return this.#workers;
  }

  #fail(error: Error): void {
    this.#isFailed = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.stop();
  }
}
