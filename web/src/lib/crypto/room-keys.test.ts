import { describe, expect, it } from 'vitest';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../encoding';
import {
  isOwnedBy,
  isRoomKey,
  isRoomSecret,
  newOwnedRoomSecret,
  newRoomSecret,
  roomKeyFromSecret,
} from './room-keys';
import type { Fingerprint, RoomSecret } from '../protocol/ids';

describe('room secrets', () => {
  it('are 16 random bytes as 22 base64url characters', () => {
    const a = newRoomSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(fromBase64Url(a)).toHaveLength(16);
    expect(isRoomSecret(a)).toBe(true);
    expect(newRoomSecret()).not.toBe(a);
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'A'.repeat(23)],
    ['bad alphabet', `${'A'.repeat(21)}+`],
    ['non-canonical', `${'A'.repeat(21)}B`],
    ['not a string', 42],
  ])('rejects a secret that is %s', (_what, candidate) => {
    expect(isRoomSecret(candidate)).toBe(false);
  });
});

describe('owned room secrets', () => {
  const OWNER = 'A'.repeat(52) as Fingerprint;
  const OTHER = 'B'.repeat(52);

  it('are 32 bytes: 16 random, then a commitment to the owner', async () => {
    const secret = await newOwnedRoomSecret(OWNER);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isRoomSecret(secret)).toBe(true);
    const bytes = fromBase64Url(secret);
    const commitment = new Uint8Array(
      await crypto.subtle.digest(
        'SHA-256',
        concatBytes(utf8('parley-room-owner-v1'), bytes.slice(0, 16), utf8(OWNER)),
      ),
    ).slice(0, 16);
    expect([...bytes.slice(16)]).toEqual([...commitment]);
    expect(await roomKeyFromSecret(secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('name their owner and nobody else', async () => {
    const secret = await newOwnedRoomSecret(OWNER);
    expect(await isOwnedBy(secret, OWNER)).toBe(true);
    expect(await isOwnedBy(secret, OTHER)).toBe(false);
    expect(await isOwnedBy(newRoomSecret(), OWNER)).toBe(false);
    // One flipped bit of the commitment breaks it.
    const bytes = fromBase64Url(secret);
    bytes[31] = (bytes[31] ?? 0) ^ 1;
    expect(await isOwnedBy(toBase64Url(bytes), OWNER)).toBe(false);
  });
});

describe('roomKeyFromSecret', () => {
  it('is base64url(SHA-256("parley-room-v1" ‖ secret bytes))', async () => {
    const secret = newRoomSecret();
    const expected = toBase64Url(
      new Uint8Array(
        await crypto.subtle.digest(
          'SHA-256',
          concatBytes(utf8('parley-room-v1'), fromBase64Url(secret)),
        ),
      ),
    );
    const key = await roomKeyFromSecret(secret);
    expect(key).toBe(expected);
    expect(key).toHaveLength(43);
    expect(isRoomKey(key)).toBe(true);
    expect(isRoomKey(secret)).toBe(false);
  });

  it('is stable for one secret and differs between secrets', async () => {
    const secret = newRoomSecret();
    expect(await roomKeyFromSecret(secret)).toBe(await roomKeyFromSecret(secret));
    expect(await roomKeyFromSecret(newRoomSecret())).not.toBe(await roomKeyFromSecret(secret));
  });

  it('rejects a malformed secret', async () => {
    await expect(roomKeyFromSecret('nope' as RoomSecret)).rejects.toThrow(TypeError);
  });
});
