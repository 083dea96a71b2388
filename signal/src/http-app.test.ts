import { describe, expect, it } from 'vitest';
import {
  CACHE_IMMUTABLE,
  CACHE_REVALIDATE,
  cacheControlFor,
  contentSecurityPolicy,
  SHARE_TARGET_PATH,
} from './http-app.js';
import { INDEX_HTML, startServer, useTestServers } from './testing/harness.js';

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

describe('the share target without a service worker', () => {
  useTestServers();

  it('sends a shared form on to the app with 303, files and all', async () => {
    const { base } = await startServer();
    const form = new FormData();
    form.set('share-text', 'look');
    form.append('files', new File(['x'.repeat(100_000)], 'a.bin'));

    const response = await fetch(`${base}${SHARE_TARGET_PATH}`, {
      method: 'POST',
      body: form,
      headers: { Accept: 'text/html' },
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.get('cache-control')).toBe('no-store');

    const followed = await fetch(`${base}${SHARE_TARGET_PATH}`, {
      method: 'POST',
      body: form,
      headers: { Accept: 'text/html' },
    });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${base}/`);
    expect(await followed.text()).toBe(INDEX_HTML);
  });

  it('leaves other posts and other methods on that path as they were', async () => {
    const { base } = await startServer();
    const html = { Accept: 'text/html' };
    expect((await fetch(`${base}/share-target/x`, { method: 'POST', headers: html })).status).toBe(
      404,
    );
    expect(
      (await fetch(`${base}${SHARE_TARGET_PATH}`, { method: 'PUT', headers: html })).status,
    ).toBe(404);
  });
});
