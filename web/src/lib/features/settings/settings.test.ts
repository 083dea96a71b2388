import { describe, expect, it } from 'vitest';
import type { Transport } from '../../net/transport';
import { appHarness } from '../../testing/app-harness';
import type { NetworkSettings } from './settings.svelte';

const h = appHarness();

describe('settings', () => {
  it('are stored and read back by the next start', async () => {
    const first = await h.readyApp();
    const saved = await first.settings.update({
      theme: 'dark',
      iceServers: [{ urls: 'turn:turn.example.org', username: 'u', credential: 'c' }],
      signalUrl: 'https://signal.example.org',
    });
    expect(saved.ok).toBe(true);

    const next = h.makeApp();
    await next.kernel.init();
    expect(next.settings.theme).toBe('dark');
    expect(next.settings.values.signalUrl).toBe('https://signal.example.org');
  });

  it('hand the transport the person’s ICE servers and signal server', async () => {
    await (
      await h.readyApp()
    ).settings.update({
      iceServers: [{ urls: 'stun:stun.example.org', username: '', credential: '' }],
      signalUrl: 'https://signal.example.org',
      isRelayOnly: true,
    });
    const seen = new Promise<NetworkSettings>((resolve) => {
      const next = h.makeApp({
        createTransport: (network) => {
          resolve(network);
          return new Promise<Transport>(() => undefined);
        },
      });
      void next.kernel.init();
    });
    const network = await seen;
    expect(network.iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
    expect(network.signalUrl?.origin).toBe('https://signal.example.org');
    expect(network.isRelayOnly).toBe(true);
  });
});
