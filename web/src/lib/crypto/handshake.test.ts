import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../encoding';
import {
  authTranscript,
  checkIdentity,
  checkRoom,
  newNonce,
  proveIdentity,
  proveRoom,
  type HandshakeSide,
  type IdentityClaim,
} from './handshake';
import { createIdentityKeys, importPublicKey, type IdentityKeys } from './identity';
import { newRoomSecret, roomKeyFromSecret } from './room-keys';
import type { RoomKey } from '../protocol/ids';

interface Scenario {
  secret: string;
  roomKey: RoomKey;
  binding: string;
  dialer: HandshakeSide;
  acceptor: HandshakeSide;
  transcript: Uint8Array;
  keys: IdentityKeys;
  claim: IdentityClaim;
}

const BINDING = 'sha-256 AA:BB|sha-256 CC:DD';

async function makeScenario(): Promise<Scenario> {
  const secret = newRoomSecret();
  const roomKey = await roomKeyFromSecret(secret);
  const dialer = { peerId: 'dialer-peer', nonce: newNonce() };
  const acceptor = { peerId: 'acceptor-peer', nonce: newNonce() };
  const keys = await createIdentityKeys();
  return {
    secret,
    roomKey,
    binding: BINDING,
    dialer,
    acceptor,
    transcript: authTranscript({ roomKey, binding: BINDING, dialer, acceptor }),
    keys,
    claim: { spki: keys.spki, profile: { name: 'Alice', color: '#112233' } },
  };
}

describe('authTranscript', () => {
  it('starts with the label and changes with every field', async () => {
    const s = await makeScenario();
    const text = new TextDecoder().decode(s.transcript);
    expect(text.startsWith('["parley-auth-v1",')).toBe(true);
    const base = { roomKey: s.roomKey, binding: s.binding, dialer: s.dialer, acceptor: s.acceptor };
    const variants = [
      { ...base, roomKey: 'x' },
      { ...base, binding: 'sha-256 EE:FF|sha-256 CC:DD' },
      { ...base, dialer: { ...s.dialer, peerId: 'other' } },
      { ...base, dialer: { ...s.dialer, nonce: newNonce() } },
      { ...base, acceptor: { ...s.acceptor, peerId: 'other' } },
      { ...base, acceptor: { ...s.acceptor, nonce: newNonce() } },
      { ...base, dialer: s.acceptor, acceptor: s.dialer },
    ];
    for (const variant of variants) {
      expect(authTranscript(variant)).not.toEqual(s.transcript);
    }
  });

  it('makes 32-byte nonces', () => {
    expect(fromBase64Url(newNonce())).toHaveLength(32);
    expect(newNonce()).not.toBe(newNonce());
  });
});

describe('room proof', () => {
  it('passes for the same secret, role and transcript', async () => {
    const s = await makeScenario();
    const mac = await proveRoom({ transcript: s.transcript, role: 'dialer', roomSecret: s.secret });
    expect(
      await checkRoom({ transcript: s.transcript, role: 'dialer', roomSecret: s.secret, mac }),
    ).toBe(true);
  });

  it('fails without the room secret', async () => {
    const s = await makeScenario();
    const mac = await proveRoom({
      transcript: s.transcript,
      role: 'dialer',
      roomSecret: newRoomSecret(),
    });
    expect(
      await checkRoom({ transcript: s.transcript, role: 'dialer', roomSecret: s.secret, mac }),
    ).toBe(false);
  });

  it('fails when reflected back with the roles swapped', async () => {
    const s = await makeScenario();
    const mac = await proveRoom({ transcript: s.transcript, role: 'dialer', roomSecret: s.secret });
    expect(
      await checkRoom({ transcript: s.transcript, role: 'acceptor', roomSecret: s.secret, mac }),
    ).toBe(false);
  });

  it('fails on a connection with another channel binding (a relay in the middle)', async () => {
    const s = await makeScenario();
    const relayed = authTranscript({
      roomKey: s.roomKey,
      binding: 'sha-256 99:99|sha-256 CC:DD',
      dialer: s.dialer,
      acceptor: s.acceptor,
    });
    const mac = await proveRoom({ transcript: relayed, role: 'dialer', roomSecret: s.secret });
    expect(
      await checkRoom({ transcript: s.transcript, role: 'dialer', roomSecret: s.secret, mac }),
    ).toBe(false);
  });

  it('answers false for malformed macs and secrets instead of throwing', async () => {
    const s = await makeScenario();
    const args = { transcript: s.transcript, role: 'dialer' as const, roomSecret: s.secret };
    expect(await checkRoom({ ...args, mac: 'not base64url!' })).toBe(false);
    expect(await checkRoom({ ...args, mac: toBase64Url(new Uint8Array(31)) })).toBe(false);
    const mac = await proveRoom(args);
    expect(await checkRoom({ ...args, roomSecret: 'short', mac })).toBe(false);
  });
});

describe('identity proof', () => {
  it('passes for the key holder on this transcript', async () => {
    const s = await makeScenario();
    const sig = await proveIdentity({
      transcript: s.transcript,
      role: 'acceptor',
      privateKey: s.keys.privateKey,
      claim: s.claim,
    });
    const publicKey = await importPublicKey(s.claim.spki);
    expect(
      await checkIdentity({
        transcript: s.transcript,
        role: 'acceptor',
        publicKey,
        claim: s.claim,
        sig,
      }),
    ).toBe(true);
  });

  it('fails for another key, a changed profile, a swapped role or another transcript', async () => {
    const s = await makeScenario();
    const other = await createIdentityKeys();
    const sig = await proveIdentity({
      transcript: s.transcript,
      role: 'acceptor',
      privateKey: s.keys.privateKey,
      claim: s.claim,
    });
    const publicKey = await importPublicKey(s.claim.spki);
    const ok = { transcript: s.transcript, role: 'acceptor' as const, publicKey, claim: s.claim };
    expect(await checkIdentity({ ...ok, sig })).toBe(true);
    expect(await checkIdentity({ ...ok, publicKey: other.publicKey, sig })).toBe(false);
    expect(
      await checkIdentity({
        ...ok,
        claim: { ...s.claim, profile: { name: 'Mallory', color: '#112233' } },
        sig,
      }),
    ).toBe(false);
    expect(await checkIdentity({ ...ok, role: 'dialer', sig })).toBe(false);
    const another = (await makeScenario()).transcript;
    expect(await checkIdentity({ ...ok, transcript: another, sig })).toBe(false);
    expect(await checkIdentity({ ...ok, sig: 'x' })).toBe(false);
  });
});
