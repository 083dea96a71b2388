import { describe, expect, it } from 'vitest';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from '../encoding';
import { isRoomKey, isRoomSecret, newRoomSecret, roomKeyFromSecret } from './room-keys';

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
    await expect(roomKeyFromSecret('nope')).rejects.toThrow(TypeError);
  });
});
