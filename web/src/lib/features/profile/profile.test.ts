import { describe, expect, it } from 'vitest';
import { openIdbStore } from '../../storage/idb-store';
import { appHarness, overriding } from '../../testing/app-harness';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('createIdentity', () => {
  it('refuses names with control or text-direction characters, saying why', async () => {
    const app = h.makeApp();
    await app.kernel.init();
    expect(app.kernel.phase).toBe('onboarding');
    for (const name of ['Ada\u202Eevil', 'Ada\tB', '   ']) {
      const result = await app.profile.createIdentity(name);
      expect(result.ok).toBe(false);
    }
    expect(await app.profile.createIdentity('Ada\u2066x')).toEqual({
      ok: false,
      error: { key: 'onboarding.nameInvalid' },
    });
    expect(app.kernel.phase).toBe('onboarding');
  });

  it('reports a store failure on the form instead of failing silently', async () => {
    const app = h.makeApp({
      openStore: async () => {
        const store = await openIdbStore({ name: h.dbName });
        h.track(store);
        return overriding(store, {
          putIdentity: () =>
            Promise.resolve({ ok: false, error: { kind: 'unknown', message: 'disk gone' } }),
        });
      },
    });
    await app.kernel.init();
    expect(await app.profile.createIdentity('Ada')).toEqual({
      ok: false,
      error: { key: 'onboarding.saveFailed', params: { reason: 'disk gone' } },
    });
    expect(app.kernel.phase).toBe('onboarding');
  });
});
