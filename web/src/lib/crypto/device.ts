/**
 * Devices of one identity (DESIGN §4 "Devices"): a browser restored from a backup writes under a
 * key of its own (its own seqs, so it never collides with the browser it came from), and proves
 * that key belongs to the identity with a chain of device links, each signed by the key before
 * it: identity → device → (a device restored from that device) …, at most MAX_DEVICE_CHAIN long.
 * Contacts keep the identity's key pinned and admit any device the chain leads to.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../encoding';
import type { Fingerprint } from '../protocol/ids';
import { MAX_DEVICE_CHAIN } from '../protocol/limits';
import { fingerprintOf, importPublicKey, signBytes, verifyBytes } from './identity';

export { MAX_DEVICE_CHAIN };

const LINK_LABEL = 'parley-device-v1';
const KEY_ALGORITHM: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };

/** One link of a chain: `issuer` (SPKI) says that `device` (SPKI) acts for it. */
export interface DeviceLink {
  /** The signing key's SPKI (the identity for the first link, else the link before's device). */
  issuer: string;
  /** The device key's SPKI. */
  device: string;
  /** When it was signed (ms since epoch). */
  at: number;
  /** The issuer's ECDSA signature over the link's canonical bytes. */
  sig: string;
}

/** Whose device a key is: the identity at the root of its chain. */
export interface DeviceRoot {
  /** The identity's fingerprint, as contacts pinned it. */
  fingerprint: Fingerprint;
  /** The identity's SPKI. */
  spki: string;
}

function linkBytes(issuer: string, device: string, at: number): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify([LINK_LABEL, issuer, device, at]));
}

/** Signs a link saying `deviceSpki` acts for the key `issuerSpki` (whose private key signs). */
export async function signDeviceLink(
  issuer: { privateKey: CryptoKey; spki: string },
  deviceSpki: string,
  at = Date.now(),
): Promise<DeviceLink> {
  const sig = await signBytes(issuer.privateKey, linkBytes(issuer.spki, deviceSpki, at));
  return { issuer: issuer.spki, device: deviceSpki, at, sig };
}

/**
 * The identity `presented` (an SPKI proven on a link) acts for, when `chain` leads from it to
 * `presented` with every link's signature valid; null otherwise (never a rejection).
 */
export async function verifyDeviceChain(
  chain: readonly DeviceLink[],
  presented: string,
): Promise<DeviceRoot | null> {
  if (chain.length === 0 || chain.length > MAX_DEVICE_CHAIN) return null;
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i]!;
    const next = chain[i + 1];
    if (link.device !== (next ? next.issuer : presented)) return null;
    if (link.issuer === link.device) return null;
    const key = await importPublicKey(link.issuer).catch(() => null);
    if (!key) return null;
    if (!(await verifyBytes(key, link.sig, linkBytes(link.issuer, link.device, link.at)))) {
      return null;
    }
  }
  const spki = chain[0]!.issuer;
  return { spki, fingerprint: await fingerprintOf(spki) };
}

/** A device key made to travel in a backup: its private key as PKCS#8, base64url. */
export interface PortableDeviceKey {
  /** base64url SPKI of the public key. */
  spki: string;
  /** base64url PKCS#8 of the private key. */
  pkcs8: string;
}

/** Makes a new device key pair whose private key can be written into a backup, once. */
export async function createPortableDeviceKey(): Promise<PortableDeviceKey> {
  const pair = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const [spki, pkcs8] = await Promise.all([
    crypto.subtle.exportKey('spki', pair.publicKey),
    crypto.subtle.exportKey('pkcs8', pair.privateKey),
  ]);
  return { spki: toBase64Url(new Uint8Array(spki)), pkcs8: toBase64Url(new Uint8Array(pkcs8)) };
}

/**
 * Imports a portable device key for this browser: the private key non-extractable from here on.
 * Rejects when the two halves are not one P-256 key pair.
 */
export async function importPortableDeviceKey(
  key: PortableDeviceKey,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; fingerprint: Fingerprint }> {
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('pkcs8', fromBase64Url(key.pkcs8), KEY_ALGORITHM, false, ['sign']),
    importPublicKey(key.spki),
  ]);
  // The halves belong together: what one signs the other verifies.
  const probe = utf8(`${LINK_LABEL} key check`);
  if (!(await verifyBytes(publicKey, await signBytes(privateKey, probe), probe))) {
    throw new Error('the device key halves do not match');
  }
  return { privateKey, publicKey, fingerprint: await fingerprintOf(key.spki) };
}
