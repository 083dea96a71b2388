// Finds the Chromium the end-to-end tests drive, installing the Debian package when we may.
// Playwright never downloads a browser here: the tests use this one through `executablePath`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where the Debian `chromium` package puts its launcher. */
export const DEBIAN_CHROMIUM_PATH = '/usr/bin/chromium';

const INSTALL_HELP = [
  'Chromium is needed for the end-to-end tests and was not found.',
  'Install the Debian package:',
  '',
  '    sudo apt-get install -y chromium',
  '',
  'or point CHROMIUM_PATH at an existing Chromium binary:',
  '',
  '    CHROMIUM_PATH=/path/to/chromium npm run test:e2e',
].join('\n');

/**
 * Returns the path of a Chromium binary: `CHROMIUM_PATH` if set, else /usr/bin/chromium, installing
 * the Debian package first when running as root with apt-get. Exits the process with instructions
 * when neither works.
 * @returns {string}
 */
export function ensureChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    fail(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist.`);
  }
  if (existsSync(DEBIAN_CHROMIUM_PATH)) return DEBIAN_CHROMIUM_PATH;

  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !hasCommand('apt-get')) fail(INSTALL_HELP);

  console.info('Chromium not found: installing the Debian package (apt-get install -y chromium).');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], env);
  run('apt-get', ['install', '-y', 'chromium'], env);
  if (!existsSync(DEBIAN_CHROMIUM_PATH)) {
    fail(`apt-get installed chromium, but ${DEBIAN_CHROMIUM_PATH} is still missing.`);
  }
  return DEBIAN_CHROMIUM_PATH;
}

/** @param {string} command */
function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs a command with its output streamed to ours; exits if it fails.
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

// `node scripts/chromium.mjs` makes sure Chromium is there and prints its path (used by .ci/run).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.info(ensureChromium());
}
