import { expect, test } from './fixtures.js';

test('the signal server serves the app and its health check', async ({ page, request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);

  await page.goto('/');
  await expect(page).toHaveTitle('Parley');
});

test('a restarted signal server serves the app again on the same address', async ({
  page,
  request,
  signalServer,
}) => {
  const before = await signalServer.status();

  await signalServer.restart();

  const after = await signalServer.status();
  expect(after.isRunning).toBe(true);
  expect(after.pid).not.toBe(before.pid);
  expect(after.baseUrl).toBe(before.baseUrl);
  expect((await request.get('/healthz')).status()).toBe(200);
  await page.goto('/');
  await expect(page).toHaveTitle('Parley');
});
