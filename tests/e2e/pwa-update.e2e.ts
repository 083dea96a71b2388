import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composer, expect, onboard, test, waitForServiceWorker } from './fixtures.js';
import { REPO_ROOT } from './signal-supervisor.js';

/** package.json's version: what the usual build shows. The second build shows 'e2e-next'. */
const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};

test('a new version waits for "Reload", never swapping under a half-typed message', async ({
  openUser,
  signalServer,
}) => {
  const { page } = await openUser('alice');

  await test.step('Alice runs the current version, with its service worker', async () => {
    await onboard(page, 'Alice');
    await waitForServiceWorker(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByText(`Version ${version}`)).toBeVisible();
  });

  await test.step('she starts typing in a room', async () => {
    await page.getByRole('button', { name: 'New room' }).click();
    await expect(composer(page)).toBeVisible();
    await composer(page).fill('half a thought');
  });

  await test.step('the server now serves a new version: the prompt appears and nothing reloads', async () => {
    await signalServer.serveWebBuild('next');
    // Browsers look for a new service worker on navigations and about daily; the test asks now.
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    await expect(
      page.getByRole('status').filter({ hasText: 'A new version is available.' }),
    ).toBeVisible();
    await expect(composer(page)).toHaveValue('half a thought');
  });

  await test.step('"Reload" brings the new version', async () => {
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(composer(page)).toHaveValue('');
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByText('Version e2e-next')).toBeVisible();
    await expect(page.getByText('A new version is available.')).toBeHidden();
  });
});
