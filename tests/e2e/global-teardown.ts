// Stops the signal server global-setup.ts started. The supervisor inside the runner knows the
// current PID even after tests restarted the server; PARLEY_SIGNAL_PID is the fallback.
export default async function globalTeardown(): Promise<void> {
  const controlUrl = process.env.PARLEY_SIGNAL_CONTROL_URL;
  if (controlUrl) {
    try {
      const response = await fetch(`${controlUrl}/shutdown`, { method: 'POST' });
      if (response.ok) return;
      console.error(`e2e: signal control /shutdown answered ${response.status}`);
    } catch (error) {
      console.error('e2e: signal control endpoint unreachable', error);
    }
  }
  const pid = Number(process.env.PARLEY_SIGNAL_PID);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      console.error(`e2e: could not stop signal server pid ${pid}`, error);
    }
  }
}
