/**
 * What Settings → Privacy decides (DESIGN §11): pure, and apart from settings-rules.ts so only
 * Settings loads it.
 */

/** True when one of `servers` is a TURN server (`turn:` or `turns:`), which relay-only needs. */
export function hasTurnServer(servers: readonly { urls: string | string[] }[]): boolean {
  return servers.some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) =>
      /^turns?:/i.test(url.trim()),
    ),
  );
}
