import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { expect, onboard, test, waitForServiceWorker } from './fixtures.js';

test('Parley is installable by Chrome’s own check, with a complete manifest', async ({
  browserName,
}, testInfo) => {
  expect(browserName).toBe('chromium');
  // Chrome never installs from an incognito profile, and every Playwright context is one: this
  // test runs a browser with a real (temporary) profile, launched the way the config launches.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'parley-install-'));
  const { launchOptions, baseURL, viewport } = testInfo.project.use;
  const context = await chromium.launchPersistentContext(profile, {
    ...launchOptions,
    baseURL,
    viewport,
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await runInstallChecks(page, context);
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

async function runInstallChecks(
  page: import('@playwright/test').Page,
  context: import('@playwright/test').BrowserContext,
): Promise<void> {
  await test.step('the app starts and registers its service worker', async () => {
    await onboard(page, 'Alice');
    await waitForServiceWorker(page);
  });

  await test.step('Chrome reports no installability errors', async () => {
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors).toEqual([]);
  });

  await test.step('the manifest has icons, a maskable icon, screenshots, the New room shortcut and a share target', async () => {
    const response = await page.request.get('/manifest.webmanifest');
    expect(response.ok()).toBe(true);
    const manifest = (await response.json()) as {
      display: string;
      icons: { sizes: string; purpose?: string }[];
      screenshots: { form_factor: string }[];
      shortcuts: { name: string; url: string }[];
      share_target: { action: string; method: string; params: Record<string, unknown> };
    };
    expect(manifest.display).toBe('standalone');
    const sizes = manifest.icons.map((icon) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true);
    expect(manifest.screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
    for (const screenshot of ['/screenshots/wide.png', '/screenshots/narrow.png']) {
      expect((await page.request.get(screenshot)).ok()).toBe(true);
    }
    expect(manifest.shortcuts).toEqual([
      expect.objectContaining({ name: 'New room', url: '/?action=new-room' }),
    ]);
    expect(manifest.share_target).toMatchObject({ action: '/share-target', method: 'POST' });
    expect(manifest.share_target.params).toEqual({
      title: 'share-title',
      text: 'share-text',
      url: 'share-url',
      files: [{ name: 'files', accept: ['*/*'] }],
    });
  });

  await test.step('the "New room" shortcut opens a new room', async () => {
    await page.goto('/?action=new-room');
    await expect(page).toHaveURL(/\/#\/r\/[^?]+$/);
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  });
}

test('an "Install app" button appears when the browser offers installation', async ({
  openUser,
}) => {
  const { page } = await openUser('alice');
  await onboard(page, 'Alice');
  const install = page.getByRole('button', { name: 'Install app' });
  await expect(install).toBeHidden();
  // Headless Chromium never shows its install UI, so the test plays the browser's part: it fires
  // `beforeinstallprompt` the way Chromium does when the installability check passes.
  await page.evaluate(() => {
    const offer = Object.assign(new Event('beforeinstallprompt', { cancelable: true }), {
      prompt: () => Promise.resolve(),
      userChoice: Promise.resolve({ outcome: 'dismissed' }),
    });
    window.dispatchEvent(offer);
  });
  await expect(install).toBeVisible();
  await install.click();
  await expect(install).toBeHidden();
});
