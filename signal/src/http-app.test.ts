import { describe, expect, it } from 'vitest';
import {
  CACHE_IMMUTABLE,
  CACHE_REVALIDATE,
  cacheControlFor,
  contentSecurityPolicy,
} from './http-app.js';

describe('cacheControlFor', () => {
  it('marks content-hashed assets immutable', () => {
    for (const file of [
      'assets/index-DH_u1IkM.js',
      'assets/index-x1XGuNl0.css',
      'assets/index-DH_u1IkM.js.map',
      'assets/workbox-window.prod.es5-BIl4cyR9.js',
      'assets/fonts/inter-a1b2c3d4.woff2',
    ]) {
      expect(cacheControlFor(file)).toBe(CACHE_IMMUTABLE);
    }
  });

  it('makes the shell, service worker, manifest and unhashed files revalidate', () => {
    for (const file of [
      'index.html',
      'sw.js',
      'workbox-2178cfdb.js',
      'registerSW.js',
      'manifest.webmanifest',
      'favicon.svg',
      'assets/logo.svg',
      'assets/short-abc.js',
    ]) {
      expect(cacheControlFor(file)).toBe(CACHE_REVALIDATE);
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('lets the page reach its own signalling socket', () => {
    expect(contentSecurityPolicy('chat.example:9000')).toContain(
      "connect-src 'self' ws://chat.example:9000 wss://chat.example:9000;",
    );
    expect(contentSecurityPolicy('[::1]:9000')).toContain('ws://[::1]:9000');
  });

  it('leaves out a Host header that could inject a directive', () => {
    const policy = contentSecurityPolicy("x; script-src 'unsafe-inline'");
    expect(policy).toContain("connect-src 'self';");
    expect(policy).not.toContain('script-src');
    expect(contentSecurityPolicy(undefined)).toContain("connect-src 'self';");
  });

  it('contains the fixed directives', () => {
    const policy = contentSecurityPolicy('a.example');
    for (const directive of [
      "default-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      "worker-src 'self'",
    ]) {
      expect(policy).toContain(directive);
    }
  });
});
