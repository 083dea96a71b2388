import { expect, expectMember, joinRoom, meetInRoom, messageLog, test } from './fixtures.js';
import { attachFiles, makePng, shownPixelsSha256 } from './file-helpers.js';

test('a late joiner gets a file from a member while its sender is offline', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  const link = await meetInRoom(alice.page, bob.page);
  const image = makePng('whiteboard.png', 300, 200);
  const shownAt = (page: typeof bob.page) =>
    messageLog(page).getByRole('img', { name: image.name });

  await test.step('Alice sends an image; Bob gets it by himself (auto-download)', async () => {
    await attachFiles(alice.page, image);
    await expect(shownAt(bob.page)).toHaveAttribute('src', /^blob:/);
  });

  await test.step('Alice closes her page', async () => {
    await alice.page.close();
    await expectMember(bob.page, 'Alice', 'offline');
  });

  await test.step('Carol opens the room link and gets the image from Bob', async () => {
    await joinRoom(carol.page, link, 'Carol');
    await expect(shownAt(carol.page)).toHaveAttribute('src', /^blob:/, { timeout: 30_000 });
    expect(await shownPixelsSha256(shownAt(carol.page))).toBe(image.pixelsSha256);
  });
});

test('a voice message recorded from the microphone plays at the other member', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);

  await test.step('Alice records about two seconds and sends it', async () => {
    await alice.page.getByRole('button', { name: 'Record voice message' }).click();
    await expect(alice.page.getByRole('timer')).toHaveText(/Recording 0:0[2-9]/);
    await alice.page.getByRole('button', { name: 'Send voice message' }).click();
    await expect(alice.page.getByRole('button', { name: 'Record voice message' })).toBeVisible();
  });

  await test.step('Bob gets an audio player that loads and plays it', async () => {
    const audio = messageLog(bob.page).getByLabel(/^Voice message, 0:0[1-9]$/);
    await expect(audio).toBeVisible({ timeout: 20_000 });
    await expect(audio).toHaveAttribute('src', /^blob:/);
    await expect
      .poll(() => audio.evaluate((element) => (element as HTMLAudioElement).readyState))
      .toBeGreaterThanOrEqual(1);
    // Bob has used the page (sticky activation), so it may play without a click on the control.
    await audio.evaluate((element) => (element as HTMLAudioElement).play());
    await expect
      .poll(() => audio.evaluate((element) => (element as HTMLAudioElement).currentTime))
      .toBeGreaterThan(0.2);
    expect(await audio.evaluate((element) => (element as HTMLAudioElement).error)).toBeNull();
  });
});
