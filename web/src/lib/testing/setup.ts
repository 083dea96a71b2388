/**
 * Setup of the unit and sim projects (not part of the app), after `fake-indexeddb/auto`.
 *
 * Tests wait on conditions (`vi.waitFor`), never on the clock; a wait's deadline only guards
 * against a hang. Vitest gives up after 1 s by default, which a busy 2-core machine can need for
 * a handshake over the in-memory mesh, so a wait that names no timeout gets `WAIT_TIMEOUT_MS`
 * here (Vitest has no setting for it). The project's test timeout stays above it.
 */
import { vi } from 'vitest';
import { setLanguage } from '../i18n/language-switch';

/** The deadline of a `vi.waitFor` that does not name its own. */
export const WAIT_TIMEOUT_MS = 20_000;

const waitFor = vi.waitFor.bind(vi);

vi.waitFor = (callback, options) => {
  const named = typeof options === 'number' ? { timeout: options } : (options ?? {});
  return waitFor(callback, { ...named, timeout: named.timeout ?? WAIT_TIMEOUT_MS });
};

// Components and state render English in tests, with every string loaded (not remembered).
await setLanguage('en', false);
