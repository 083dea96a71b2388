import type { Page } from '@playwright/test';
import { connectionStatus, createRoom, expect, memberList, onboard, test } from './fixtures.js';

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

/** The file names of the scripts this page has loaded so far (Resource Timing). */
function loadedScripts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname.split('/').pop() ?? '')
      .filter((name) => name.endsWith('.js')),
  );
}

/** Waits until a script of each chunk (file name prefix, e.g. 'linkify-') has loaded. */
async function expectChunksLoaded(page: Page, prefixes: string[]): Promise<void> {
  await expect
    .poll(() => loadedScripts(page))
    .toEqual(expect.arrayContaining(prefixes.map((prefix) => expect.stringMatching(`^${prefix}`))));
}

test('the home screen readies the room view while idle, so opening a room loads no more of it', async ({
  page,
}) => {
  await page.addInitScript(() => performance.setResourceTimingBufferSize(2_000));
  await onboard(page, 'Alice');
  await expect(connectionStatus(page)).toContainText('Online');
  // The parts load one per idle period (web/src/lib/shell/room-warmup.ts), each its own chunk.
  const parts = [
    'ComposerFiles-',
    'ConversationActions-',
    'MembersList-',
    'MemberMessages-',
    'member-messages.svelte-',
    'TypingIndicator-',
    'CatchUpBar-',
    'MessageActions-',
    'linkify-',
  ];
  await expectChunksLoaded(page, parts);
  const before = new Set(await loadedScripts(page));

  await createRoom(page);
  await expect(memberList(page).getByRole('listitem')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Attach file' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Video call' })).toBeVisible();

  // Only the storage side of the members' message counts (not part of the view) may come now.
  const loadedForRoom = (await loadedScripts(page)).filter((name) => !before.has(name));
  expect(loadedForRoom.filter((name) => !name.startsWith('idb-moderation-'))).toEqual([]);
});

test('while a new person types their name, the network code and the room view load', async ({
  page,
}) => {
  await page.addInitScript(() => performance.setResourceTimingBufferSize(2_000));
  await page.goto('/');
  const nameBox = page.getByRole('textbox', { name: 'Display name' });
  await nameBox.fill('Alice');
  // Still on the onboarding screen: what comes right after Continue is here already (PeerJS's
  // chunk is named after its file, peerjs/dist/bundler.mjs).
  const parts = [
    'network-lock-',
    'network-rules-',
    'network-stack-',
    'peerjs-transport-',
    'bundler-',
    'ComposerFiles-',
    'linkify-',
  ];
  await expectChunksLoaded(page, parts);
  await expect(nameBox).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(connectionStatus(page)).toContainText('Online');
});
