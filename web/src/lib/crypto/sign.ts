/**
 * Signing with the identity key (DESIGN §4): all the first screen needs of crypto/ (its own events
 * are signed as they are written); making, checking and naming keys is identity.ts.
 */
import { toBase64Url } from '../encoding';

/** ECDSA P-256 with SHA-256: how every signature in Parley is made. */
export const SIGN_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** Signs `bytes` (ECDSA P-256, SHA-256); the base64url of the raw 64-byte r‖s signature. */
export async function signBytes(
  privateKey: CryptoKey,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGN_ALGORITHM, privateKey, bytes)));
}
