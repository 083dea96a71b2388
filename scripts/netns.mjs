// The loopback-only network namespace the browser tests and benchmarks run in. Chromium offers an
// ICE candidate for every network interface; inside a fresh namespace there is only loopback, so
// WebRTC sees 127.0.0.1 alone and never touches the machine's real network.
import { spawnSync } from 'node:child_process';

/** Brings loopback up, then replaces the shell with the command given as "$@". */
export const LOOPBACK_ONLY_SHELL = 'ip link set lo up && exec "$@"';

/**
 * True when `command` can be run as `unshare --net sh -c LOOPBACK_ONLY_SHELL sh command…`: we are
 * root, `unshare` and `ip` work, and `optOutVariable` is not set to 0. Says why when not.
 * @param {string} tool the prefix of the log lines, e.g. "e2e"
 * @param {string} optOutVariable environment variable that disables the namespace when "0"
 * @returns {boolean}
 */
export function canUseLoopbackNamespace(tool, optOutVariable) {
  if (process.env[optOutVariable] === '0') {
    console.info(
      `${tool}: ${optOutVariable}=0, running without a loopback-only network namespace.`,
    );
    return false;
  }
  if (process.getuid?.() !== 0) {
    console.info(
      `${tool}: not root, so running without a loopback-only network namespace; WebRTC may pick ` +
        'non-loopback ICE candidates on this machine.',
    );
    return false;
  }
  const probe = spawnSync('unshare', ['--net', 'sh', '-c', LOOPBACK_ONLY_SHELL, 'sh', 'true'], {
    stdio: 'ignore',
  });
  if (probe.status !== 0) {
    console.info(
      `${tool}: \`unshare --net\` or \`ip link set lo up\` does not work here (needs util-linux, ` +
        'iproute2 and CAP_SYS_ADMIN), so running without a loopback-only network namespace.',
    );
    return false;
  }
  console.info(`${tool}: running in a loopback-only network namespace (unshare --net).`);
  return true;
}
