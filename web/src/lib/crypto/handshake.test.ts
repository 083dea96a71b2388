import { describe, expect, it } from 'vitest';
import { createIdentityKeys, type IdentityKeys } from './identity';
import { newRoomSecret, roomKeyFromSecret } from './room-keys';
import {
  authTranscript,
  checkAuth,
  newNonce,
  proveAuth,
  type AuthProof,
  type HandshakeSide,
} from './handshake';
import { fromBase64Url } from '../encoding';

interface Scenario {
  secret: string;
  roomKey: string;
  dialerKeys: IdentityKeys;
  acceptorKeys: IdentityKeys;
  dialer: HandshakeSide;
  acceptor: HandshakeSide;
  transcript: Uint8Array;
}

async function makeScenario(): Promise<Scenario> {
  const secret = newRoomSecret();
  const [dialerKeys, acceptorKeys] = await Promise.all([
    createIdentityKeys(),
    createIdentityKeys(),
  ]);
  const dialer = { peerId: 'dialer-peer', nonce: newNonce(), spki: dialerKeys.spki };
  const acceptor = { peerId: 'acceptor-peer', nonce: newNonce(), spki: acceptorKeys.spki };
  const roomKey = await roomKeyFromSecret(secret);
  const transcript = authTranscript({ roomKey, dialer, acceptor });
  return { secret, roomKey, dialerKeys, acceptorKeys, dialer, acceptor, transcript };
}

async function dialerProof(s: Scenario, secret = s.secret): Promise<AuthProof> {
  return proveAuth({
    transcript: s.transcript,
    role: 'dialer',
    privateKey: s.dialerKeys.privateKey,
    roomSecret: secret,
  });
}

describe('handshake', () => {
  it('makes 32-byte nonces', () => {
    expect(fromBase64Url(newNonce())).toHaveLength(32);
    expect(newNonce()).not.toBe(newNonce());
  });

  it('builds a transcript that starts with the label and binds every field', async () => {
    const s = await makeScenario();
    const text = new TextDecoder().decode(s.transcript);
    expect(JSON.parse(text)).toEqual([
      'parley-auth-v1',
      s.roomKey,
      s.dialer.peerId,
      s.dialer.nonce,
      s.dialer.spki,
      s.acceptor.peerId,
      s.acceptor.nonce,
      s.acceptor.spki,
    ]);
  });

  it('accepts a correct exchange in both directions', async () => {
    const s = await makeScenario();
    const fromDialer = await dialerProof(s);
    const fromAcceptor = await proveAuth({
      transcript: s.transcript,
      role: 'acceptor',
      privateKey: s.acceptorKeys.privateKey,
      roomSecret: s.secret,
    });
    expect(
      await checkAuth({
        transcript: s.transcript,
        role: 'dialer',
        publicKey: s.dialerKeys.publicKey,
        roomSecret: s.secret,
        proof: fromDialer,
      }),
    ).toBe(true);
    expect(
      await checkAuth({
        transcript: s.transcript,
        role: 'acceptor',
        publicKey: s.acceptorKeys.publicKey,
        roomSecret: s.secret,
        proof: fromAcceptor,
      }),
    ).toBe(true);
  });

  it('fails the mac when the prover does not know the room secret', async () => {
    const s = await makeScenario();
    const proof = await dialerProof(s, newRoomSecret());
    const check = {
      transcript: s.transcript,
      role: 'dialer' as const,
      publicKey: s.dialerKeys.publicKey,
      roomSecret: s.secret,
    };
    expect(await checkAuth({ ...check, proof })).toBe(false);
    // The signature alone is still fine: it is the mac that fails.
    const honest = await dialerProof(s);
    expect(await checkAuth({ ...check, proof: { sig: proof.sig, mac: honest.mac } })).toBe(true);
  });

  it('fails the signature when made with another key', async () => {
    const s = await makeScenario();
    const proof = await dialerProof(s);
    expect(
      await checkAuth({
        transcript: s.transcript,
        role: 'dialer',
        publicKey: s.acceptorKeys.publicKey,
        roomSecret: s.secret,
        proof,
      }),
    ).toBe(false);
  });

  it('rejects a proof reflected back with the roles swapped', async () => {
    const s = await makeScenario();
    const fromDialer = await dialerProof(s);
    // The acceptor echoes the dialer's own proof back as if it were the acceptor's.
    expect(
      await checkAuth({
        transcript: s.transcript,
        role: 'acceptor',
        publicKey: s.dialerKeys.publicKey,
        roomSecret: s.secret,
        proof: fromDialer,
      }),
    ).toBe(false);
  });

  it.each([
    ['dialer nonce', (s: Scenario) => ({ dialer: { ...s.dialer, nonce: newNonce() } })],
    ['acceptor nonce', (s: Scenario) => ({ acceptor: { ...s.acceptor, nonce: newNonce() } })],
    ['dialer peer id', (s: Scenario) => ({ dialer: { ...s.dialer, peerId: 'mallory' } })],
    ['acceptor peer id', (s: Scenario) => ({ acceptor: { ...s.acceptor, peerId: 'mallory' } })],
    ['room key', () => ({ roomKey: 'A'.repeat(43) })],
  ])('fails when the %s differs', async (_what, change) => {
    const s = await makeScenario();
    const proof = await dialerProof(s);
    const altered = authTranscript({
      roomKey: s.roomKey,
      dialer: s.dialer,
      acceptor: s.acceptor,
      ...change(s),
    });
    expect(
      await checkAuth({
        transcript: altered,
        role: 'dialer',
        publicKey: s.dialerKeys.publicKey,
        roomSecret: s.secret,
        proof,
      }),
    ).toBe(false);
  });

  it('answers false for malformed proofs and secrets instead of throwing', async () => {
    const s = await makeScenario();
    const good = await dialerProof(s);
    const base = {
      transcript: s.transcript,
      role: 'dialer' as const,
      publicKey: s.dialerKeys.publicKey,
      roomSecret: s.secret,
    };
    const bad: unknown[] = [
      { sig: 'x', mac: good.mac },
      { sig: good.sig, mac: '***' },
      { sig: good.sig, mac: good.mac.slice(1) },
      null,
      'auth',
    ];
    for (const proof of bad) {
      expect(await checkAuth({ ...base, proof: proof as AuthProof })).toBe(false);
    }
    expect(await checkAuth({ ...base, roomSecret: 'short', proof: good })).toBe(false);
    expect(await checkAuth({ ...base, publicKey: s.dialerKeys.privateKey, proof: good })).toBe(
      false,
    );
  });
});
