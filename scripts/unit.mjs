// `npm run test:unit`: Vitest, both projects (web core and signal server). The server tests open a
// real signal server on a free port; as root they run inside a fresh network namespace that holds
// only loopback (like scripts/e2e.mjs), so nothing they open is reachable from, or reaches, the
// machine's real network. Elsewhere they run as they are, and say so. The scale-out tests start a
// real redis-server (installed here first when missing and we are root on Debian).
//
// Arguments are passed on to `vitest run`, e.g. `npm run test:unit -- --project server`.
// PARLEY_UNIT_NETNS=0 never uses a namespace.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canUseLoopbackNamespace, LOOPBACK_ONLY_SHELL } from './netns.mjs';
import { ensurePrograms } from './system-packages.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitestBin = path.join(repoRoot, 'node_modules', '.bin', 'vitest');
const vitestArgs = ['run', ...process.argv.slice(2)];

// The scale-out tests start a real redis-server: install it now, outside the namespace.
ensurePrograms(['redis-server']);

const [command, args] = canUseLoopbackNamespace('unit', 'PARLEY_UNIT_NETNS')
  ? ['unshare', ['--net', 'sh', '-c', LOOPBACK_ONLY_SHELL, 'sh', vitestBin, ...vitestArgs]]
  : [vitestBin, vitestArgs];

const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit' });
// Ctrl-C reaches the whole foreground process group by itself; forward what is sent to us alone.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (child.pid !== undefined) process.kill(child.pid, signal);
  });
}
child.on('error', (error) => {
  console.error(`unit: could not start ${command}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 1));
});
