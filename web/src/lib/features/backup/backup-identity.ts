/**
 * The identity part of a backup (DESIGN §4 "Devices", §10 "Backup"): the browser that exports
 * cannot hand over its own private key (it is not extractable), and two browsers writing under
 * one key would collide. So each backup carries a new device key, made for it and signed into
 * the identity's chain of device links; the restored browser writes as that device.
 */
import * as v from 'valibot';
import {
  createPortableDeviceKey,
  importPortableDeviceKey,
  signDeviceLink,
  verifyDeviceChain,
  MAX_DEVICE_CHAIN,
} from '../../crypto/device';
import { fingerprintOf } from '../../crypto/identity';
import { isBase64Url } from '../../encoding';
import {
  colorSchema,
  fingerprintSchema,
  nameSchema,
  signatureSchema,
  spkiSchema,
} from '../../protocol/formats';
import type { StoredIdentity } from '../../storage/chat-store';

/** Longest PKCS#8 of a P-256 private key, base64url (138 bytes as WebCrypto exports it). */
const MAX_PKCS8_CHARS = 512;

const timestamp = v.pipe(v.number(), v.finite(), v.minValue(0));

/** The identity as a backup carries it. */
export const backupIdentitySchema = v.object({
  name: nameSchema,
  color: colorSchema,
  createdAt: timestamp,
  /** The device key made for this backup. */
  device: v.object({
    spki: spkiSchema,
    pkcs8: v.pipe(
      v.string(),
      v.maxLength(MAX_PKCS8_CHARS),
      v.check((s) => isBase64Url(s), 'pkcs8: expected base64url'),
    ),
  }),
  /** The links from the identity to the device key. */
  devices: v.pipe(
    v.array(
      v.object({ issuer: spkiSchema, device: spkiSchema, at: timestamp, sig: signatureSchema }),
    ),
    v.minLength(1),
    v.maxLength(MAX_DEVICE_CHAIN),
  ),
  /** Fingerprints of the keys before the device (the identity first): the person's own. */
  earlierKeys: v.pipe(v.array(fingerprintSchema), v.maxLength(MAX_DEVICE_CHAIN)),
});

/** The identity as a backup carries it. */
export type BackupIdentity = v.InferOutput<typeof backupIdentitySchema>;

/** Why an identity cannot go into a backup. */
export class BackupIdentityError extends Error {
  constructor(readonly code: 'too-many-devices') {
    super(code);
  }
}

/**
 * Makes the identity part of a new backup: a fresh device key signed by this browser's key.
 * A browser that was itself restored extends its own chain, up to MAX_DEVICE_CHAIN links.
 */
export async function backupIdentityOf(identity: StoredIdentity): Promise<BackupIdentity> {
  const chain = identity.devices ?? [];
  if (chain.length >= MAX_DEVICE_CHAIN) throw new BackupIdentityError('too-many-devices');
  const device = await createPortableDeviceKey();
  const link = await signDeviceLink(identity, device.spki);
  return {
    name: identity.name,
    color: identity.color,
    createdAt: identity.createdAt,
    device,
    devices: [...chain, link],
    earlierKeys: [...(identity.earlierKeys ?? []), identity.fingerprint],
  };
}

/**
 * The identity record a restored browser keeps, from a backup's (untrusted: checked here) part.
 * Null when it does not hold together: a bad key, a chain that does not lead to the device key,
 * or earlier keys that are not the chain's.
 */
export async function restoredIdentityOf(raw: unknown): Promise<StoredIdentity | null> {
  const parsed = v.safeParse(backupIdentitySchema, raw);
  if (!parsed.success) return null;
  const backup = parsed.output;
  const root = await verifyDeviceChain(backup.devices, backup.device.spki);
  if (!root) return null;
  const issuers = await Promise.all(backup.devices.map((link) => fingerprintOf(link.issuer)));
  if (issuers.join() !== backup.earlierKeys.join()) return null;
  const keys = await importPortableDeviceKey(backup.device).catch(() => null);
  if (!keys) return null;
  return {
    id: 'self',
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    spki: backup.device.spki,
    fingerprint: keys.fingerprint,
    name: backup.name,
    color: backup.color,
    createdAt: backup.createdAt,
    devices: backup.devices,
    earlierKeys: backup.earlierKeys,
  };
}
