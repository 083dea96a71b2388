import { ConfigError, loadConfig, type SignalConfig } from './config.js';
import { createLogger, describeError } from './log.js';
import { createSignalServer, type SignalServer } from './server.js';

/**
 * Entry point, built to `dist/server/signal/src/main.js` (`npm run serve` runs it; `npm start`
 * builds first). Prints exactly one
 * line to stdout, `Parley is listening on http://<host>:<port>`, which scripts and the e2e harness
 * parse; all logging goes to stderr.
 */

const bootLog = createLogger('signal', 'info');

let config: SignalConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  bootLog.error(error.message);
  process.exit(1);
}

const log = createLogger('signal', config.logLevel, undefined, config.logFormat);

// A bug that escapes every handler leaves the process in an unknown state: record it and stop,
// and let the supervisor restart us (clients reconnect with backoff).
process.on('uncaughtException', (error) => {
  log.error('uncaught exception', { stack: error.stack ?? String(error) });
  process.exit(1);
});
process.on('unhandledRejection', (reason) => {
  log.error('unhandled rejection', {
    stack: reason instanceof Error ? (reason.stack ?? reason.message) : typeof reason,
  });
  process.exit(1);
});

let server: SignalServer;
try {
  server = await createSignalServer(config, log);
} catch (error) {
  // Typically EADDRINUSE or EACCES from listen(); nothing to clean up yet.
  log.error('could not start', { host: config.host, port: config.port, ...describeError(error) });
  process.exit(1);
}
process.stdout.write(`Parley is listening on http://${displayHost(config.host)}:${server.port}\n`);

let isShuttingDown = false;
const shutDown = (signal: NodeJS.Signals): void => {
  if (isShuttingDown) {
    // A second Ctrl-C means "now".
    process.exit(1);
  }
  isShuttingDown = true;
  log.info('shutting down', { signal });
  server.close().then(
    // PeerServer's internal timers never stop (see peer-timers.ts): exit explicitly.
    () => process.exit(0),
    (error: unknown) => {
      log.error('shutdown failed', { stack: error instanceof Error ? error.stack : String(error) });
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);

/** A wildcard bind address is not something to type into a browser. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
