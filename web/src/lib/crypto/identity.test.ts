import { describe, expect, it } from 'vitest';
import { base32, fromBase64Url, utf8 } from '../encoding';
import {
  createIdentityKeys,
  fingerprintOf,
  importPublicKey,
  signBytes,
  verifyBytes,
} from './identity';
import { safetyNumber } from './safety-number';

describe('identity keys', () => {
  it('makes a P-256 pair whose private key cannot be exported', async () => {
    const keys = await createIdentityKeys();
    expect(keys.privateKey.extractable).toBe(false);
    expect(keys.publicKey.extractable).toBe(true);
    expect(keys.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    await expect(crypto.subtle.exportKey('pkcs8', keys.privateKey)).rejects.toThrow();
    expect(fromBase64Url(keys.spki)).toHaveLength(91);
  });

  it('names a key by base32(SHA-256(SPKI)), 52 characters', async () => {
    const keys = await createIdentityKeys();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fromBase64Url(keys.spki)));
    expect(keys.fingerprint).toMatch(/^[A-Z2-7]{51}[AQ]$/);
    expect(await fingerprintOf(keys.spki)).toBe(keys.fingerprint);
    expect(keys.fingerprint).toBe(base32(digest));
    await expect(fingerprintOf('not base64!')).rejects.toThrow(TypeError);
  });

  it('signs with a 64-byte raw signature that the public key verifies', async () => {
    const keys = await createIdentityKeys();
    const sig = await signBytes(keys.privateKey, utf8('hello'));
    expect(fromBase64Url(sig)).toHaveLength(64);
    const publicKey = await importPublicKey(keys.spki);
    expect(await verifyBytes(publicKey, sig, utf8('hello'))).toBe(true);
    expect(await verifyBytes(publicKey, sig, utf8('hellO'))).toBe(false);
  });

  it('answers false, never throws, for malformed or foreign signatures', async () => {
    const [a, b] = await Promise.all([createIdentityKeys(), createIdentityKeys()]);
    const sig = await signBytes(a.privateKey, utf8('x'));
    expect(await verifyBytes(b.publicKey, sig, utf8('x'))).toBe(false);
    expect(await verifyBytes(a.publicKey, 'AAAA', utf8('x'))).toBe(false);
    expect(await verifyBytes(a.publicKey, '!'.repeat(86), utf8('x'))).toBe(false);
    expect(await verifyBytes(a.privateKey, sig, utf8('x'))).toBe(false);
  });

  it('rejects an SPKI that is not a P-256 public key', async () => {
    await expect(importPublicKey('AAAA')).rejects.toThrow();
  });
});

describe('safetyNumber', () => {
  it('is 60 digits in groups of 5, the same from both sides', async () => {
    const [a, b] = await Promise.all([createIdentityKeys(), createIdentityKeys()]);
    const ab = await safetyNumber(a.fingerprint, b.fingerprint);
    expect(ab).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(await safetyNumber(b.fingerprint, a.fingerprint)).toBe(ab);
  });

  it('changes when either identity changes', async () => {
    const [a, b, c] = await Promise.all([
      createIdentityKeys(),
      createIdentityKeys(),
      createIdentityKeys(),
    ]);
    const ab = await safetyNumber(a.fingerprint, b.fingerprint);
    expect(await safetyNumber(a.fingerprint, c.fingerprint)).not.toBe(ab);
    expect(await safetyNumber(c.fingerprint, b.fingerprint)).not.toBe(ab);
  });
});
