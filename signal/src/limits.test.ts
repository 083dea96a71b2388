import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  forwardedHop,
  isLoopbackAddress,
  isOriginAllowed,
  KeyedTokenBuckets,
  TokenBucket,
} from './limits.js';

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

describe('TokenBucket by bytes', () => {
  it('takes the size of a frame and refuses what the budget cannot cover', () => {
    const bucket = new TokenBucket(1_000, 100, 0);
    expect(bucket.tryTake(0, 600)).toBe(true);
    expect(bucket.tryTake(0, 600)).toBe(false); // 400 left
    expect(bucket.tryTake(2_000, 600)).toBe(true); // +200 after 2 s
  });

  it('says when it has refilled completely', () => {
    const bucket = new TokenBucket(10, 10, 0);
    bucket.tryTake(0, 5);
    expect(bucket.isFullAt(400)).toBe(false);
    expect(bucket.isFullAt(500)).toBe(true);
  });
});

describe('KeyedTokenBuckets', () => {
  it('keeps one budget per key', () => {
    const buckets = new KeyedTokenBuckets(2, 1, 100);
    expect(buckets.tryTake('a', 0)).toBe(true);
    expect(buckets.tryTake('a', 0)).toBe(true);
    expect(buckets.tryTake('a', 0)).toBe(false);
    expect(buckets.tryTake('b', 0)).toBe(true);
  });

  it('forgets full buckets first when it holds too many keys, and stays bounded', () => {
    const buckets = new KeyedTokenBuckets(1, 1, 3);
    buckets.tryTake('spent', 0); // empty until 1 s
    buckets.tryTake('idle-1', 0);
    buckets.tryTake('idle-2', 0);
    // At 0.5 s nothing has refilled: the oldest key goes to make room.
    buckets.tryTake('new-1', 500);
    expect(buckets.size).toBe(3);
    // At 2 s every bucket is full again: they all go, and 'spent' starts afresh.
    buckets.tryTake('new-2', 2_000);
    expect(buckets.size).toBe(1);
    for (let i = 0; i < 1_000; i++) buckets.tryTake(`k${i}`, 3_000);
    expect(buckets.size).toBeLessThanOrEqual(3);
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
    expect(clientAddress('10.0.0.1', '1.1.1.1', 0)).toBe('10.0.0.1');
  });

  it('takes the right-most X-Forwarded-For entry behind one proxy', () => {
    expect(clientAddress('10.0.0.1', 'spoofed, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.1', ['spoofed', '203.0.113.8'], 1)).toBe('203.0.113.8');
    expect(clientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', ' , ', 1)).toBe('10.0.0.1');
  });

  it('takes the entry as many hops from the right as there are proxies we run', () => {
    // The client wrote "spoofed"; the CDN appended the client, our balancer appended the CDN.
    const header = 'spoofed, 198.51.100.4, 192.0.2.10';
    expect(clientAddress('10.0.0.1', header, 2)).toBe('198.51.100.4');
    // Fewer entries than hops: the request skipped a proxy; the left-most is all there is.
    expect(clientAddress('10.0.0.1', '198.51.100.4', 2)).toBe('198.51.100.4');
  });

  it('counts IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(clientAddress('::ffff:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientAddress('::1', undefined, 0)).toBe('::1');
  });
});

describe('forwardedHop', () => {
  it('reads a forwarding header only when proxied', () => {
    expect(forwardedHop('https', 0)).toBeNull();
    expect(forwardedHop(undefined, 1)).toBeNull();
    expect(forwardedHop('http, https', 1)).toBe('https');
    expect(forwardedHop('https, http', 2)).toBe('https');
  });
});

describe('isLoopbackAddress', () => {
  it('knows 127.0.0.0/8 and ::1', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1']) {
      expect(isLoopbackAddress(address)).toBe(true);
    }
    for (const address of ['10.0.0.1', '::ffff:127.0.0.1', '1127.0.0.1', 'unknown']) {
      expect(isLoopbackAddress(address)).toBe(false);
    }
  });
});
