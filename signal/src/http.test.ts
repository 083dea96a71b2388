import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  counterValue,
  eventually,
  HASHED_ASSET,
  INDEX_HTML,
  makeId,
  makeRoomKey,
  peerUrl,
  refusedStatus,
  startServer,
  useTestServers,
} from './testing/harness.js';

useTestServers();

// ---------------------------------------------------------------------------------------------
// Connection guards
// ---------------------------------------------------------------------------------------------

describe('connection guards', () => {
  it('refuses a foreign Origin with 403 and accepts our own and listed ones', async () => {
    const { port, connect } = await startServer({
      PARLEY_ALLOWED_ORIGINS: 'http://localhost:5173',
    });
    const url = peerUrl(port, makeId(), randomUUID());
    expect(await refusedStatus(url, { Origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus(url, { Origin: 'null' })).toBe(403);

    const own = await connect({ origin: `http://127.0.0.1:${port}` });
    const listed = await connect({ origin: 'http://localhost:5173' });
    const originless = await connect();
    expect([own, listed, originless].map((peer) => peer.id)).toHaveLength(3);
  });

  it('caps connections per IP and frees the slot when a socket closes', async () => {
    const { port, connect, counts } = await startServer({ PARLEY_MAX_CONNECTIONS_PER_IP: '2' });
    const a = await connect();
    await connect();
    expect(await refusedStatus(peerUrl(port, makeId(), randomUUID()))).toBe(429);

    await a.close();
    await eventually(async () => (await counts()).sockets === 1);
    const c = await connect();
    expect(c.id).toMatch(/^peer-/);
  });

  it('refuses WebSocket upgrades on any other path', async () => {
    const { port } = await startServer();
    expect(await refusedStatus(`ws://127.0.0.1:${port}/elsewhere?key=peerjs&id=x&token=y`)).toBe(
      400,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

describe('HTTP', () => {
  it('hands out no ICE servers over HTTP any more', async () => {
    const { base } = await startServer({
      PARLEY_STUN_URLS: 'stun:stun.example:3478',
      PARLEY_TURN_URLS: 'turn:turn.example:3478',
      PARLEY_TURN_SECRET: 'shh',
    });
    const response = await fetch(`${base}/ice`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('turn:');
  });

  it('reports health as minimal JSON that is never cached', async () => {
    const { base, connect } = await startServer();
    const a = await connect();
    a.join(makeRoomKey());
    await a.next('X-ROOM-PEERS');

    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('reports counts in Prometheus text on /metrics, to loopback only', async () => {
    const { base, connect, metricsText, counts } = await startServer({ PARLEY_PROXIED: 'true' });
    const a = await connect();
    a.join(makeRoomKey());
    await a.next('X-ROOM-PEERS');

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.* version=0\.0\.4/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await counts()).toEqual({ peers: 1, rooms: 1, sockets: 1, relayQueueBytes: 0 });
    expect(await metricsText()).toMatch(/^process_resident_memory_bytes \d+/m);

    // Through the proxy, the forwarded client address decides: not loopback, not served.
    const viaProxy = await fetch(`${base}/metrics`, {
      headers: { 'X-Forwarded-For': '203.0.113.9' },
    });
    expect(viaProxy.status).toBe(403);
    expect(await viaProxy.text()).not.toContain('parley_signal');
  });

  it('serves /metrics only with the bearer token when one is configured', async () => {
    const { base, metricsText } = await startServer({ PARLEY_METRICS_TOKEN: 's3cret-token' });
    for (const authorization of [undefined, 'Bearer wrong', 's3cret-token', 'Bearer ']) {
      const response = await fetch(`${base}/metrics`, {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    }
    expect(await metricsText()).toContain('parley_signal_sockets 0');
  });

  it('counts refused handshakes in /metrics', async () => {
    const { port, metricsText } = await startServer({ PARLEY_ALLOWED_ORIGINS: '' });
    const url = peerUrl(port, makeId(), randomUUID());
    expect(await refusedStatus(url, { Origin: 'https://evil.example' })).toBe(403);
    const text = await metricsText();
    expect(counterValue(text, 'parley_signal_sockets_refused_total', { reason: 'origin' })).toBe(1);
  });

  it('sets the security headers', async () => {
    const { base, port } = await startServer();
    const response = await fetch(`${base}/`);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'self'; " +
        `connect-src 'self' ws://127.0.0.1:${port} wss://127.0.0.1:${port}; ` +
        "img-src 'self' data: blob:; media-src 'self' blob:; " +
        "style-src 'self' 'unsafe-inline'; worker-src 'self'; manifest-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('permissions-policy')).toBe(
      'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()',
    );
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    // Plain HTTP: HSTS would be ignored, and must not be sent.
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS when the proxy we trust says the browser came over https', async () => {
    const proxied = await startServer({ PARLEY_PROXIED: '1' });
    const hsts = async (base: string, proto: string): Promise<string | null> =>
      (await fetch(`${base}/`, { headers: { 'X-Forwarded-Proto': proto } })).headers.get(
        'strict-transport-security',
      );
    expect(await hsts(proxied.base, 'https')).toBe('max-age=31536000');
    expect(await hsts(proxied.base, 'http')).toBeNull();
    // Only the hop our proxy wrote counts; what the client put further left does not.
    expect(await hsts(proxied.base, 'https, http')).toBeNull();

    // Not proxied: nobody's X-Forwarded-Proto is believed.
    const direct = await startServer();
    expect(await hsts(direct.base, 'https')).toBeNull();
  });

  it('serves source maps only when configured to', async () => {
    const hidden = await startServer();
    expect((await fetch(`${hidden.base}/${HASHED_ASSET}.map`)).status).toBe(404);
    expect((await fetch(`${hidden.base}/${HASHED_ASSET}`)).status).toBe(200);
    const shown = await startServer({ PARLEY_SERVE_SOURCE_MAPS: 'true' });
    expect((await fetch(`${shown.base}/${HASHED_ASSET}.map`)).status).toBe(200);
  });

  it('caches hashed assets forever and makes the shell, worker and manifest revalidate', async () => {
    const { base } = await startServer();
    const cacheControl = async (urlPath: string): Promise<string | null> => {
      const response = await fetch(`${base}${urlPath}`);
      expect(response.status, urlPath).toBe(200);
      return response.headers.get('cache-control');
    };
    expect(await cacheControl(`/${HASHED_ASSET}`)).toBe('public, max-age=31536000, immutable');
    for (const urlPath of [
      '/',
      '/index.html',
      '/sw.js',
      '/workbox-1a2b3c4d.js',
      '/manifest.webmanifest',
    ]) {
      expect(await cacheControl(urlPath), urlPath).toBe('no-cache');
    }
  });

  it('answers navigations to app routes with index.html, and missing files with 404', async () => {
    const { base } = await startServer();
    const html = { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

    const route = await fetch(`${base}/r/some/route`, { headers: html });
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toBe(INDEX_HTML);

    expect((await fetch(`${base}/assets/gone-AbCd1234.js`)).status).toBe(404);
    expect((await fetch(`${base}/missing.png`, { headers: html })).status).toBe(404);
    expect((await fetch(`${base}/r/some/route`)).status).toBe(404); // not a navigation
    expect((await fetch(`${base}/r/some/route`, { method: 'POST', headers: html })).status).toBe(
      404,
    );
    expect((await fetch(`${base}/healthz/x`, { headers: html })).status).toBe(404);
  });

  it('keeps PeerServer peer discovery off', async () => {
    const { base } = await startServer();
    expect((await fetch(`${base}/peerjs/peerjs/peers`)).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------
// Logging and shutdown
// ---------------------------------------------------------------------------------------------

describe('logging', () => {
  it('never logs tokens, query strings or room keys, even at debug level', async () => {
    const lines: string[] = [];
    const { port, connect } = await startServer(
      { PARLEY_LOG_LEVEL: 'debug', PARLEY_RATE_LIMIT_BURST: '30' },
      (line) => lines.push(line),
    );
    const [a, b] = await Promise.all([connect(), connect()]);
    const room = makeRoomKey();
    a.join(room);
    await a.next('X-ROOM-PEERS');
    b.join(room);
    await b.next('X-ROOM-PEERS');
    b.send(`not json ${room}`);
    b.send({ type: 'X-ROOM-JOIN', payload: { room: `${room}x` } });
    await b.next('X-ROOM-ERROR');
    await connect({ id: a.id, token: a.token }); // re-attach
    await refusedStatus(peerUrl(port, makeId(), randomUUID()), { Origin: 'https://evil.example' });
    for (let i = 0; i < 40; i++) b.send({ type: 'HEARTBEAT' });
    await b.closed;
    await eventually(() =>
      Promise.resolve(lines.some((line) => line.includes('peer disconnected'))),
    );

    expect(lines.length).toBeGreaterThan(5);
    const secrets = [a.token, b.token, room, 'token=', 'key=peerjs'];
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

describe('shutdown', () => {
  it('closes sockets with 1001, stops listening and leaves no timer holding the process', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((type) => type === 'Timeout');
    const { server, port, connect } = await startServer();
    const [a, b] = await Promise.all([connect(), connect()]);
    a.join(makeRoomKey());
    await a.next('X-ROOM-PEERS');

    await server.close();
    expect(await a.closed).toBe(1001);
    expect(await b.closed).toBe(1001);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const timersAfter = process.getActiveResourcesInfo().filter((type) => type === 'Timeout');
    expect(timersAfter.length).toBeLessThanOrEqual(timersBefore.length);
  });

  it('drains first: /readyz turns 503, new sockets are refused, connected ones stay until the end', async () => {
    const { server, base, port, connect } = await startServer({ PARLEY_DRAIN_MS: '1000' });
    const readiness = async (): Promise<[number, unknown]> => {
      const response = await fetch(`${base}/readyz`);
      expect(response.headers.get('cache-control')).toBe('no-store');
      return [response.status, await response.json()];
    };
    expect(await readiness()).toEqual([200, { status: 'ready' }]);
    const a = await connect();

    const closed = server.close();
    expect(await readiness()).toEqual([503, { status: 'draining' }]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await refusedStatus(peerUrl(port, 'peer-late', 'token'))).toBe(503);
    expect(a.isOpen).toBe(true);
    await closed;
    expect(await a.closed).toBe(1001);
  });
});
