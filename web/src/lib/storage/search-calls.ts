/**
 * The search index in a Worker (DESIGN §10 "Search", "Off the main thread"): the calls the page
 * makes of the Worker's IdbSearchIndex and their answers, pure so both ends and the tests share
 * them. Part of the IndexedDB adapter (storage/idb-*.ts).
 */
import type { SearchIndex } from './search-store';

/** The SearchIndex methods the Worker answers (every one of the interface). */
export const SEARCH_METHODS = [
  'apply',
  'state',
  'saveState',
  'readEventsAfter',
  'storedVectors',
  'readEventsAbove',
  'purgeBatch',
  'search',
  'readAround',
  'readAfter',
  'readChanges',
  'clear',
] as const satisfies readonly (keyof SearchIndex)[];

export type SearchMethod = (typeof SEARCH_METHODS)[number];

/** The page to the Worker: open database `name` first, then calls, answered in any order. */
export type SearchCall =
  | { type: 'open'; name: string }
  | { type: 'call'; id: number; method: SearchMethod; args: unknown[] };

/** What a failure was, across the thread (errors keep their name, e.g. QuotaExceededError). */
export interface SearchFailure {
  name: string;
  message: string;
}

/** The Worker to the page. */
export type SearchAnswer =
  | { type: 'opened' }
  | { type: 'open-failed'; error: SearchFailure }
  | { type: 'answer'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: SearchFailure };

/** True for a method of SEARCH_METHODS. */
export function isSearchMethod(value: unknown): value is SearchMethod {
  return typeof value === 'string' && (SEARCH_METHODS as readonly string[]).includes(value);
}

/** A thrown value as it crosses the thread. */
export function toFailure(error: unknown): SearchFailure {
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : 'unknown error',
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The Error thrown on the page for a failure in the Worker (same name and message). */
export function fromFailure(failure: SearchFailure): Error {
  const error = new Error(failure.message);
  error.name = failure.name;
  return error;
}

/** True for an answer of the Worker's shape (the Worker is ours, but the check is cheap). */
export function isSearchAnswer(value: unknown): value is SearchAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const { type } = value as { type?: unknown };
  return type === 'opened' || type === 'open-failed' || type === 'answer' || type === 'failed';
}
