import { describe, expect, it } from 'vitest';
import {
  createPortableDeviceKey,
  importPortableDeviceKey,
  MAX_DEVICE_CHAIN,
  signDeviceLink,
  verifyDeviceChain,
  type DeviceLink,
} from './device';
import { createIdentityKeys } from './identity';

async function deviceOf(issuer: { privateKey: CryptoKey; spki: string }) {
  const portable = await createPortableDeviceKey();
  const imported = await importPortableDeviceKey(portable);
  const link = await signDeviceLink(issuer, portable.spki, 1_700_000_000_000);
  return { ...imported, spki: portable.spki, link, portable };
}

describe('device links', () => {
  it('leads a device key back to the identity that signed it', async () => {
    const identity = await createIdentityKeys();
    const device = await deviceOf(identity);
    expect(await verifyDeviceChain([device.link], device.spki)).toEqual({
      spki: identity.spki,
      fingerprint: identity.fingerprint,
    });
  });

  it('follows a chain through a device restored from a device', async () => {
    const identity = await createIdentityKeys();
    const first = await deviceOf(identity);
    const second = await deviceOf(first);
    const root = await verifyDeviceChain([first.link, second.link], second.spki);
    expect(root?.fingerprint).toBe(identity.fingerprint);
  });

  it('refuses a chain for another key, out of order, forged or too long', async () => {
    const identity = await createIdentityKeys();
    const stranger = await createIdentityKeys();
    const first = await deviceOf(identity);
    const second = await deviceOf(first);
    // Presented by a key the chain does not end at.
    expect(await verifyDeviceChain([first.link], stranger.spki)).toBeNull();
    // Links swapped.
    expect(await verifyDeviceChain([second.link, first.link], second.spki)).toBeNull();
    // A stranger claims the identity's key as issuer: the signature is not the identity's.
    const forged: DeviceLink = {
      ...(await signDeviceLink(stranger, first.spki)),
      issuer: identity.spki,
    };
    expect(await verifyDeviceChain([forged], first.spki)).toBeNull();
    // The time is signed too.
    expect(
      await verifyDeviceChain([{ ...first.link, at: first.link.at + 1 }], first.spki),
    ).toBeNull();
    expect(await verifyDeviceChain([], first.spki)).toBeNull();
    // A key that is not one.
    expect(await verifyDeviceChain([{ ...first.link, issuer: 'AAAA' }], first.spki)).toBeNull();
    let chain: DeviceLink[] = [];
    let issuer: { privateKey: CryptoKey; spki: string } = identity;
    for (let i = 0; i <= MAX_DEVICE_CHAIN; i++) {
      const next = await deviceOf(issuer);
      chain = [...chain, next.link];
      issuer = next;
    }
    expect(chain).toHaveLength(MAX_DEVICE_CHAIN + 1);
    expect(await verifyDeviceChain(chain, issuer.spki)).toBeNull();
    expect(await verifyDeviceChain(chain.slice(1), issuer.spki)).not.toBeNull();
  });

  it('imports a portable key non-extractable, and refuses halves of two keys', async () => {
    const a = await createPortableDeviceKey();
    const b = await createPortableDeviceKey();
    const imported = await importPortableDeviceKey(a);
    expect(imported.privateKey.extractable).toBe(false);
    await expect(importPortableDeviceKey({ spki: b.spki, pkcs8: a.pkcs8 })).rejects.toThrow();
  });
});
