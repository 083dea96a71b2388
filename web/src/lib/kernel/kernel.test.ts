import { describe, expect, it, vi } from 'vitest';
import { DB_VERSION, deleteIdbDatabase } from '../storage/idb-schema';
import { appHarness } from '../testing/app-harness';

const NOW = 1_700_000_000_000;
const h = appHarness({ now: NOW });

describe('startup', () => {
  it('shows the app and its history without waiting for the network', async () => {
    const first = await h.readyApp();
    const secret = await first.conversations.createRoom();
    expect(secret).not.toBeNull();

    const app = h.makeApp();
    await app.kernel.init();
    expect(app.kernel.phase).toBe('ready');
    expect(app.conversations.list).toHaveLength(1);
    expect(app.kernel.network.status).toBe('connecting');
  });

  it('explains that it needs a secure address when WebCrypto is missing', async () => {
    vi.stubGlobal('isSecureContext', false);
    try {
      const app = h.makeApp();
      await app.kernel.init();
      expect(app.kernel.phase).toBe('fatal');
      expect(app.kernel.fatal).toEqual({ key: 'app.insecureContext' });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stays usable and says so when the network cannot start', async () => {
    const app = await h.readyApp({
      createTransport: () => Promise.reject(new Error('no WebRTC')),
    });
    await vi.waitFor(() => expect(app.kernel.notices.current?.key).toBe('error.networkFailed'));
    expect(app.kernel.phase).toBe('ready');
    expect(app.kernel.network.status).toBe('offline');
  });

  it('asks for a reload when another tab upgrades the database', async () => {
    const app = await h.readyApp();
    const upgraded = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(h.dbName, DB_VERSION + 1);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    expect(app.kernel.phase).toBe('outdated');
    upgraded.close();
  });
});

describe('deleteAllData', () => {
  it('deletes the database: the next start is at onboarding', async () => {
    const first = await h.readyApp({ deleteStore: () => deleteIdbDatabase(h.dbName) });
    expect(await first.conversations.createRoom()).not.toBeNull();
    expect(await first.kernel.deleteAllData()).toBe(true);
    const next = h.makeApp();
    await next.kernel.init();
    expect(next.kernel.phase).toBe('onboarding');
    expect(next.conversations.list).toEqual([]);
  });
});
