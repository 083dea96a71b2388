/**
 * Verifying received events in bulk (DESIGN §6 "Receiving in bursts"): the request a Worker
 * answers (verify-worker.ts) and the answer, pure so both ends and the tests share them.
 */
import { verifyEvent } from '../domain/verify-event';
import type { StoredEvent, Unverified } from '../protocol/events';

/** One event to verify against its author's key (base64url SPKI). */
export interface VerifyJob {
  event: Unverified<StoredEvent>;
  spki: string;
}

/** A batch of jobs; `id` pairs it with its answer. */
export interface VerifyRequest {
  id: number;
  jobs: VerifyJob[];
}

/** For each job in order: whether its signature is its author's and covers the event. */
export interface VerifyAnswer {
  id: number;
  valid: boolean[];
}

/** Verifies every job of a request, side by side (WebCrypto), in the thread it runs in. */
export async function answerVerifyRequest(request: VerifyRequest): Promise<VerifyAnswer> {
  const verified = await Promise.all(request.jobs.map((job) => verifyEvent(job.event, job.spki)));
  return { id: request.id, valid: verified.map((event) => event !== null) };
}

/** Whether `data` (from a Worker, so same origin) is an answer in the expected shape. */
export function isVerifyAnswer(data: unknown): data is VerifyAnswer {
  if (typeof data !== 'object' || data === null) return false;
  const answer = data as Partial<VerifyAnswer>;
  return (
    typeof answer.id === 'number' &&
    Array.isArray(answer.valid) &&
    answer.valid.every((v) => typeof v === 'boolean')
  );
}
