import { conversations, expect, meetInRoom, messageLog, test } from './fixtures.js';
import { attachFiles, fileMessage, makeRandomFile, saveThrough } from './file-helpers.js';

test('Settings → Files shows space per conversation; deleting frees it and Download again fetches it back', async ({
  openUser,
}, testInfo) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);
  const name = 'minutes.bin';
  const path = testInfo.outputPath(name);
  const hash = await makeRandomFile(path, 1_000_000);
  const filesSection = bob.page
    .getByRole('region', { name: 'Settings' })
    .getByRole('region', { name: 'Files' });
  const openSettings = async (): Promise<void> => {
    await bob.page.getByRole('link', { name: 'Settings' }).click();
    await expect(bob.page).toHaveURL(/#\/settings$/);
  };

  await test.step('Alice sends a 1 MB file; Bob gets it by himself', async () => {
    await attachFiles(alice.page, path);
    await expect(fileMessage(bob.page, 'Alice', name)).toBeVisible();
  });

  await test.step('Settings → Files shows the room using 1 MB', async () => {
    await openSettings();
    await expect(filesSection.getByRole('listitem')).toHaveText(/^Room [\w-]{4}: 1 MB/, {
      timeout: 20_000,
    });
  });

  await test.step('Bob deletes the room’s files; the space is freed', async () => {
    await filesSection.getByRole('button', { name: /^Delete files of Room [\w-]{4}$/ }).click();
    const confirm = bob.page.getByRole('dialog', { name: /^Delete the files of Room [\w-]{4}/ });
    await confirm.getByRole('button', { name: 'Delete files' }).click();
    await expect(confirm).toBeHidden();
    await expect(filesSection).toContainText('No files are stored on this device yet.');
  });

  await test.step('the message stays, "Removed from this device"; Download again fetches it back', async () => {
    await conversations(bob.page).getByRole('link', { name: /Room/ }).click();
    const message = fileMessage(bob.page, 'Alice', name);
    await expect(message).toContainText('Removed from this device');
    const saved = await saveThrough(
      bob.page,
      message.getByRole('button', { name: 'Download again' }),
    );
    expect(saved.hash).toBe(hash);
    await expect(message).not.toContainText('Removed from this device');
    await openSettings();
    await expect(filesSection.getByRole('listitem')).toHaveText(/^Room [\w-]{4}: 1 MB/);
  });
  await expect(messageLog(alice.page).getByRole('article')).toHaveCount(1);
});
