import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  ConnectionCounter,
  isOriginAllowed,
  isRoomKey,
  TokenBucket,
} from './limits.js';

function makeRoomKey(): string {
  return createHash('sha256').update(randomBytes(16)).digest('base64url');
}

describe('isRoomKey', () => {
  it('accepts base64url SHA-256 digests', () => {
    for (let i = 0; i < 200; i++) expect(isRoomKey(makeRoomKey())).toBe(true);
  });

  it('rejects wrong lengths, padding, standard base64 and other characters', () => {
    const key = makeRoomKey();
    const bad = [
      key.slice(1),
      `${key}A`,
      `${key}=`,
      `${key.slice(0, 42).replace(/./, '+')}A`,
      `${key.slice(0, 42).replace(/./, '/')}A`,
      `${key.slice(0, 42).replace(/./, '.')}A`,
      `${key.slice(0, 42).replace(/./, ' ')}A`,
      '',
    ];
    for (const value of bad) expect(isRoomKey(value)).toBe(false);
  });

  it('rejects a non-canonical last character (bits a digest cannot set)', () => {
    const stem = makeRoomKey().slice(0, 42);
    expect(isRoomKey(`${stem}A`)).toBe(true);
    expect(isRoomKey(`${stem}B`)).toBe(false);
    expect(isRoomKey(`${stem}_`)).toBe(false);
  });

  it('rejects values that are not strings', () => {
    for (const value of [null, undefined, 43, {}, [makeRoomKey()]]) {
      expect(isRoomKey(value)).toBe(false);
    }
  });
});

describe('TokenBucket', () => {
  it('allows a full burst, then refuses', () => {
    const bucket = new TokenBucket(3, 1, 0);
    expect([1, 2, 3, 4].map(() => bucket.tryTake(0))).toEqual([true, true, true, false]);
  });

  it('refills at the configured rate', () => {
    const bucket = new TokenBucket(2, 10, 0);
    bucket.tryTake(0);
    bucket.tryTake(0);
    expect(bucket.tryTake(50)).toBe(false); // half a token
    expect(bucket.tryTake(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.tryTake(100)).toBe(false);
  });

  it('never holds more than the burst, however long it idles', () => {
    const bucket = new TokenBucket(2, 10, 0);
    const taken = [1, 2, 3].map(() => bucket.tryTake(60_000));
    expect(taken).toEqual([true, true, false]);
  });

  it('mints nothing when the clock steps backwards', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.tryTake(10_000)).toBe(true);
    expect(bucket.tryTake(5_000)).toBe(false);
    expect(bucket.tryTake(6_000)).toBe(true);
  });
});

describe('ConnectionCounter', () => {
  it('refuses the connection over the cap and frees the slot on release', () => {
    const counter = new ConnectionCounter(2);
    expect(counter.tryAcquire('1.2.3.4')).toBe(true);
    expect(counter.tryAcquire('1.2.3.4')).toBe(true);
    expect(counter.tryAcquire('1.2.3.4')).toBe(false);
    expect(counter.tryAcquire('5.6.7.8')).toBe(true);
    counter.release('1.2.3.4');
    expect(counter.openFor('1.2.3.4')).toBe(1);
    expect(counter.tryAcquire('1.2.3.4')).toBe(true);
  });

  it('forgets an address once all its connections are released', () => {
    const counter = new ConnectionCounter(1);
    counter.tryAcquire('a');
    counter.release('a');
    counter.release('a'); // an extra release must not go negative and grant extra slots
    expect(counter.openFor('a')).toBe(0);
    expect(counter.tryAcquire('a')).toBe(true);
    expect(counter.tryAcquire('a')).toBe(false);
  });
});

describe('isOriginAllowed', () => {
  const check = (origin: string | undefined, host: string | undefined, allowed: string[] = []) =>
    isOriginAllowed({ origin, host, allowedOrigins: allowed });

  it('allows a request without Origin (not a browser page)', () => {
    expect(check(undefined, 'example.com')).toBe(true);
  });

  it('allows the same origin and refuses others when nothing is listed', () => {
    expect(check('http://localhost:9000', 'localhost:9000')).toBe(true);
    expect(check('http://LOCALHOST:9000', 'localhost:9000')).toBe(true);
    expect(check('http://localhost:9001', 'localhost:9000')).toBe(false);
    expect(check('https://evil.example', 'localhost:9000')).toBe(false);
    expect(check('http://localhost:9000', undefined)).toBe(false);
  });

  it('treats a default port in Host as equal to none in Origin', () => {
    expect(check('https://chat.example', 'chat.example:443')).toBe(true);
    expect(check('http://chat.example', 'chat.example:80')).toBe(true);
    expect(check('https://chat.example', 'chat.example:80')).toBe(false);
  });

  it('refuses opaque and unparsable origins', () => {
    expect(check('null', 'localhost:9000')).toBe(false);
    expect(check('file://', 'localhost:9000')).toBe(false);
    expect(check('not a url', 'localhost:9000')).toBe(false);
  });

  it('allows listed origins, and any origin with *', () => {
    expect(check('http://localhost:5173', 'localhost:9000', ['http://localhost:5173'])).toBe(true);
    expect(check('http://localhost:5174', 'localhost:9000', ['http://localhost:5173'])).toBe(false);
    expect(check('https://anything.example', 'localhost:9000', ['*'])).toBe(true);
  });

  it('refuses a Host header that is not a bare host', () => {
    expect(check('https://localhost', 'someone@localhost')).toBe(false);
    expect(check('https://localhost', 'localhost/path')).toBe(false);
  });
});

describe('clientAddress', () => {
  it('uses the socket address unless proxied', () => {
    expect(clientAddress('10.0.0.1', '1.1.1.1', false)).toBe('10.0.0.1');
  });

  it('takes the right-most X-Forwarded-For entry when proxied', () => {
    expect(clientAddress('10.0.0.1', 'spoofed, 203.0.113.7', true)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.1', ['spoofed', '203.0.113.8'], true)).toBe('203.0.113.8');
    expect(clientAddress('10.0.0.1', undefined, true)).toBe('10.0.0.1');
  });

  it('counts IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(clientAddress('::ffff:127.0.0.1', undefined, false)).toBe('127.0.0.1');
    expect(clientAddress('::1', undefined, false)).toBe('::1');
  });
});
