import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { forwardedHop } from './limits.js';

/**
 * The plain-HTTP half of the server: security headers, the built PWA with caching that suits a
 * service worker, the SPA fallback and error responses. No PeerJS here.
 */

/** Cache-Control for a content-hashed file: its URL changes whenever its bytes do. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';

/** Cache-Control for everything else: reuse only after revalidating (cheap, thanks to ETags). */
export const CACHE_REVALIDATE = 'no-cache';

/** Vite's output name for hashed assets: `name-<hash ≥ 8 chars of base64url>.ext[.map]`. */
const HASHED_ASSET_PATTERN = /^assets\/(?:.*\/)?[^/]*-[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9]+)+$/;

/**
 * Cache-Control for a file of the built PWA, by its path relative to the static dir. Only
 * content-hashed files under `assets/` are immutable; `index.html`, `sw.js`, `workbox-*.js`,
 * `registerSW.js` and the manifest must be revalidated or clients would never see an update,
 * and for icons and the like a stale copy buys nothing worth the risk.
 */
export function cacheControlFor(relativePath: string): string {
  const posixPath = relativePath.split(path.sep).join('/');
  return HASHED_ASSET_PATTERN.test(posixPath) ? CACHE_IMMUTABLE : CACHE_REVALIDATE;
}

/** A Host header we are willing to echo into the CSP: host name or IP literal, optional port. */
const SAFE_HOST_PATTERN = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The Content-Security-Policy for a response. `connect-src` names the signalling socket's
 * ws/wss URL explicitly because older Safari versions do not let `'self'` cover WebSockets. An
 * odd-looking Host is left out rather than escaped, so it cannot smuggle in a directive.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && SAFE_HOST_PATTERN.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Powerful features the app may use, for its own origin only: calls need the camera, the
 * microphone and screen sharing; nothing needs the rest, and no embedded frame gets any.
 */
export const PERMISSIONS_POLICY =
  'camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()';

/** HSTS lifetime: one year, the usual minimum for preload lists; subdomains are the operator's. */
export const HSTS_MAX_AGE_S = 31_536_000;

/**
 * True when the browser reached us over TLS: our own socket is TLS, or (behind
 * `trustedProxyHops` proxies) the proxy we trust says `X-Forwarded-Proto: https`.
 */
export function isSecureRequest(req: Request, trustedProxyHops: number): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const proto = forwardedHop(req.headers['x-forwarded-proto'], trustedProxyHops);
  return proto?.toLowerCase() === 'https';
}

/** Sets the security headers on every response, API and WebSocket handshake errors included. */
export function securityHeaders(trustedProxyHops: number): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    // No other window keeps a handle on ours (window.opener), and ours on none of theirs.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    // Only over TLS: an HSTS header on plain HTTP is ignored by browsers anyway (RFC 6797 §8.1),
    // and sending it from a local http://localhost setup would only confuse.
    if (isSecureRequest(req, trustedProxyHops)) {
      res.setHeader('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_S}`);
    }
    next();
  };
}

/**
 * Answers 404 for source maps unless they are to be served: they carry the full sources, which a
 * production deployment has no reason to publish (PARLEY_SERVE_SOURCE_MAPS turns them on).
 */
export function sourceMapGate(isServingSourceMaps: boolean): RequestHandler {
  return (req, res, next) => {
    if (!isServingSourceMaps && req.path.endsWith('.map')) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    next();
  };
}

/** Serves the built PWA from `staticDir` with {@link cacheControlFor}. */
export function staticFiles(staticDir: string): RequestHandler {
  return express.static(staticDir, {
    // `send` would set its own `max-age=0`; we always set the header ourselves.
    cacheControl: false,
    // `/assets` → `/assets/` redirects would serve no purpose here.
    redirect: false,
    setHeaders: (res, filePath) => {
      res.setHeader('Cache-Control', cacheControlFor(path.relative(staticDir, filePath)));
    },
  });
}

/** Paths owned by the server itself: never answered with the app shell. */
const SERVER_PATH_PATTERN = /^\/(?:peerjs|healthz|readyz|metrics)(?:\/|$)/;

/** Where the web manifest's `share_target` posts what another app shares (vite.config.ts). */
export const SHARE_TARGET_PATH = '/share-target';

/**
 * Answers a browser navigation to a client-side route with `index.html`. A navigation asks for
 * HTML; a request for a missing file (its last segment has a dot) stays a 404, so a missing
 * script never comes back as HTML with status 200.
 *
 * A share from another app (POST {@link SHARE_TARGET_PATH}) is the service worker's to take
 * (public/sw-share.js); if none controls the page yet (a first visit, or it was unregistered),
 * it reaches us and the browser is sent on to the app with 303 rather than shown an error. The
 * share itself is lost then: without the worker there is nowhere to keep the files, and the body
 * is left unread (Node discards it once the response is sent).
 */
export function spaFallback(staticDir: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && req.path === SHARE_TARGET_PATH) {
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, '/');
      return;
    }
    const isNavigation =
      (req.method === 'GET' || req.method === 'HEAD') &&
      (req.headers.accept ?? '').includes('text/html') &&
      !SERVER_PATH_PATTERN.test(req.path) &&
      !path.posix.basename(req.path).includes('.');
    if (!isNavigation) {
      next();
      return;
    }
    res.setHeader('Cache-Control', CACHE_REVALIDATE);
    res.sendFile('index.html', { root: staticDir, cacheControl: false }, (error?: Error) => {
      if (error) next(error);
    });
  };
}

/** The last handler: a plain 404. */
export function notFound(): RequestHandler {
  return (_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  };
}

/** Turns errors into a status line without internals (no stack, no paths). */
export function errorResponder(onServerError: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    if (status >= 500) onServerError(error);
    res
      .status(status)
      .type('text/plain')
      .send(status === 404 ? 'Not found' : 'Error');
  };
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
