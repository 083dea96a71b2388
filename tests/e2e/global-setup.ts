// Starts the real signal server (which also serves the built app) before any test runs, and tells
// the workers where it is through environment variables, which Playwright passes on to them.
import { existsSync } from 'node:fs';
import { SIGNAL_ENTRY, SignalSupervisor, WEB_INDEX, serveControl } from './signal-supervisor.js';

export default async function globalSetup(): Promise<void> {
  for (const built of [SIGNAL_ENTRY, WEB_INDEX]) {
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: run \`npm run build\` (npm run test:e2e does it).`);
    }
  }

  const supervisor = new SignalSupervisor(({ pid }) => {
    process.env.PARLEY_SIGNAL_PID = String(pid);
  });
  // Whatever happens to the runner, do not leave a server behind.
  const killOnExit = (): void => supervisor.killNow();
  process.once('exit', killOnExit);

  await supervisor.start();
  const control = await serveControl(supervisor, () => {
    process.removeListener('exit', killOnExit);
    control.server.close();
    control.server.closeAllConnections();
  });

  const { baseUrl, pid } = supervisor.status;
  process.env.PARLEY_BASE_URL = baseUrl;
  process.env.PARLEY_SIGNAL_CONTROL_URL = control.url;
  console.info(`e2e: signal server pid ${pid} at ${baseUrl}`);
}
