// Finds the system programs the tests start — redis-server (scale-out) and turnserver (coturn,
// relay-only calls) — installing their Debian packages when we may, like scripts/chromium.mjs
// does for Chromium. Run before entering the loopback-only network namespace: there is no route
// to the package mirrors inside it.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Program → the Debian package that provides it, and the variable that may point at it. */
export const SYSTEM_PROGRAMS = /** @type {const} */ ({
  'redis-server': { debianPackage: 'redis-server', variable: 'REDIS_SERVER_PATH' },
  turnserver: { debianPackage: 'coturn', variable: 'TURNSERVER_PATH' },
});

/**
 * Returns the path of each program (from its variable, else the PATH), installing the missing
 * ones' Debian packages when running as root with apt-get. Exits with instructions otherwise.
 * @param {(keyof typeof SYSTEM_PROGRAMS)[]} programs
 * @returns {Record<string, string>}
 */
export function ensurePrograms(programs) {
  /** @type {Record<string, string>} */
  const found = {};
  const missing = [];
  for (const program of programs) {
    const path = locate(program);
    if (path) found[program] = path;
    else missing.push(program);
  }
  if (missing.length === 0) return found;

  const packages = missing.map((program) => SYSTEM_PROGRAMS[program].debianPackage);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    fail(
      [
        `The tests need ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.`,
        'Install the Debian packages:',
        '',
        `    sudo apt-get install -y ${packages.join(' ')}`,
        '',
        `or point ${missing.map((program) => SYSTEM_PROGRAMS[program].variable).join(' / ')} at the programs.`,
      ].join('\n'),
    );
  }
  console.info(`Installing ${packages.join(', ')} (apt-get install -y ${packages.join(' ')}).`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], env);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], env);
  for (const program of missing) {
    const path = locate(program);
    if (!path)
      fail(
        `apt-get installed ${SYSTEM_PROGRAMS[program].debianPackage}, but ${program} is still missing.`,
      );
    found[program] = path;
  }
  return found;
}

/**
 * The packaged services start themselves on install where an init system runs; the tests start
 * their own on free ports, so nothing here depends on that.
 * @param {keyof typeof SYSTEM_PROGRAMS} program
 * @returns {string | null}
 */
function locate(program) {
  const fromEnv = process.env[SYSTEM_PROGRAMS[program].variable];
  if (fromEnv) return fromEnv;
  const result = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** @param {string} command */
function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function run(command, args, env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}).`,
    );
  }
}

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(message);
  process.exit(1);
}

// `node scripts/system-packages.mjs` makes sure every program is there (used by .ci/run).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const found = ensurePrograms(
    /** @type {(keyof typeof SYSTEM_PROGRAMS)[]} */ (Object.keys(SYSTEM_PROGRAMS)),
  );
  for (const [program, path] of Object.entries(found)) console.info(`${program}: ${path}`);
}
