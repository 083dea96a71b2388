// `npm run dev`: the signal server on :9001 and Vite with hot reload on :5173, which proxies
// /peerjs and /healthz to it (vite.config.ts). Ctrl-C stops both; so does either one exiting.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
const SIGNAL_PORT = '9001';
const VITE_PORT = '5173';

const build = spawnSync(bin('tsc'), ['-p', 'signal/tsconfig.json'], {
  cwd: repoRoot,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('dev: building the signal server failed.');
  process.exit(build.status || 1);
}

/** @type {Map<string, import('node:child_process').ChildProcess>} */
const children = new Map();
let isStopping = false;

start('signal', process.execPath, ['dist/server/signal/src/main.js'], {
  PORT: SIGNAL_PORT,
  PARLEY_ALLOWED_ORIGINS: `http://localhost:${VITE_PORT}`,
});
start('vite', bin('vite'), ['--port', VITE_PORT, '--strictPort']);

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => stopAll(0));
}

/**
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string>} [env]
 */
function start(name, command, args, env = {}) {
  const child = spawn(command, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  children.set(name, child);
  child.on('error', (error) => {
    console.error(`dev: could not start ${name}: ${error.message}`);
    stopAll(1);
  });
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (isStopping) {
      if (children.size === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    console.error(`dev: ${name} exited (${signal ?? `code ${code}`}); stopping the rest.`);
    stopAll(code || 1);
  });
}

/** Stops every child we started, by PID, and exits once all are gone. @param {number} exitCode */
function stopAll(exitCode) {
  if (isStopping) return;
  isStopping = true;
  process.exitCode = exitCode;
  if (children.size === 0) process.exit(exitCode);
  for (const child of children.values()) signalChild(child, 'SIGTERM');
  // A child that ignores SIGTERM must not keep the terminal hostage.
  setTimeout(() => {
    for (const child of children.values()) signalChild(child, 'SIGKILL');
    process.exit(exitCode);
  }, 5_000).unref();
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function signalChild(child, signal) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch (error) {
    // It exited between our check and the kill; its 'exit' handler does the bookkeeping.
    console.debug(`dev: ${signal} to pid ${child.pid}: ${/** @type {Error} */ (error).message}`);
  }
}
