import { readFileSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  conversations,
  expect,
  expectMessage,
  meetInRoom,
  memberList,
  messageFrom,
  sendMessage,
  test,
} from './fixtures.js';

const contactsNav = (page: Page) => page.getByRole('navigation', { name: 'Contacts' });
const PASSPHRASE = 'orange kite 7 river';

test('a backup moves Alice to a fresh browser: same identity to her contacts, all history, and both browsers keep working', async ({
  openUser,
}, testInfo) => {
  test.slow();
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  let room = '';

  await test.step('Alice and Bob talk in a room and become contacts', async () => {
    room = await meetInRoom(alice.page, bob.page);
    await sendMessage(alice.page, 'Before the move');
    await expectMessage(bob.page, 'Alice', 'Before the move');
    await memberList(alice.page).getByRole('button', { name: 'Add contact: Bob' }).click();
    const request = bob.page.getByRole('dialog', { name: 'Contact request from Alice' });
    await request.getByRole('button', { name: 'Accept' }).click();
    await expect(contactsNav(alice.page).getByRole('link', { name: 'Bob' })).toBeVisible();
    await contactsNav(alice.page).getByRole('link', { name: 'Bob' }).click();
    await sendMessage(alice.page, 'Just between us');
    await contactsNav(bob.page).getByRole('link', { name: 'Alice' }).click();
    await expectMessage(bob.page, 'Alice', 'Just between us');
  });

  const backupPath = testInfo.outputPath('alice.parley');
  await test.step('Alice exports a backup with a passphrase typed twice', async () => {
    await alice.page.evaluate(() => (location.hash = '#/settings'));
    await alice.page.getByRole('button', { name: 'Export backup' }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Export backup' });
    await dialog.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await dialog.getByLabel('Confirm passphrase').fill(`${PASSPHRASE}!`);
    await dialog.getByRole('button', { name: 'Export backup' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('The two passphrases are not the same.');
    await dialog.getByLabel('Confirm passphrase').fill(PASSPHRASE);
    const download = alice.page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export backup' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^parley-backup-\d{4}-\d{2}-\d{2}\.parley$/);
    await saved.saveAs(backupPath);
    await expect(dialog).toBeHidden();
    await expect(
      alice.page.getByRole('status').filter({ hasText: 'Backup saved as' }),
    ).toBeVisible();
    const bytes = readFileSync(backupPath);
    expect(bytes.subarray(0, 8).toString()).toBe('PARLEYBK');
    // Nothing in it is readable: not a message, not a name.
    expect(bytes.includes(Buffer.from('Before the move'))).toBe(false);
    expect(bytes.includes(Buffer.from('Bob'))).toBe(false);
  });

  const fresh = await openUser('alice-new-browser');
  await test.step('a fresh browser refuses a wrong passphrase and a damaged file, changing nothing', async () => {
    await fresh.page.goto('/');
    await fresh.page.getByRole('button', { name: 'Restore from backup' }).click();
    const dialog = fresh.page.getByRole('dialog', { name: 'Restore from backup' });
    await dialog.getByLabel('Backup file').setInputFiles(backupPath);
    await dialog.getByLabel('Passphrase').fill('not the passphrase');
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Wrong passphrase. Nothing was changed.');

    const damagedPath = testInfo.outputPath('damaged.parley');
    const bytes = readFileSync(backupPath);
    writeFileSync(damagedPath, bytes.subarray(0, bytes.length - 40));
    await dialog.getByLabel('Backup file').setInputFiles(damagedPath);
    await dialog.getByLabel('Passphrase').fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(
      'This backup file is damaged or incomplete. Nothing was changed.',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // Still the first screen: nothing was written.
    await fresh.page.reload();
    await expect(fresh.page.getByRole('textbox', { name: 'Display name' })).toBeVisible();
  });

  await test.step('with the right passphrase it becomes Alice, with her rooms, contacts and history', async () => {
    await fresh.page.getByRole('button', { name: 'Restore from backup' }).click();
    const dialog = fresh.page.getByRole('dialog', { name: 'Restore from backup' });
    await dialog.getByLabel('Backup file').setInputFiles(backupPath);
    await dialog.getByLabel('Passphrase').fill(PASSPHRASE);
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await expect(contactsNav(fresh.page).getByRole('link', { name: 'Bob' })).toBeVisible();
    await expect(conversations(fresh.page).getByRole('link').first()).toBeVisible();
    // The search index is built again from the restored history.
    const search = fresh.page.getByRole('combobox', { name: 'Search messages' });
    await search.fill('befor');
    await expect(
      fresh.page.getByRole('listbox', { name: 'Search results' }).getByRole('option', {
        name: /Before the move/,
      }),
    ).toBeVisible();
    await search.fill('');
    await fresh.page.goto(room);
    await expect(messageFrom(fresh.page, 'Alice', 'Before the move')).toBeVisible();
    // Written by her other browser: hers, not a look-alike stranger's (no key tag).
    await expect(messageFrom(fresh.page, 'Alice (', 'Before the move')).toHaveCount(0);
  });

  await test.step('Bob still accepts her in their direct chat, both ways', async () => {
    await fresh.page.evaluate(() => (location.hash = '#/'));
    await contactsNav(fresh.page).getByRole('link', { name: 'Bob' }).click();
    await expect(messageFrom(fresh.page, 'Alice', 'Just between us')).toBeVisible();
    await expect(contactsNav(fresh.page).getByText('online', { exact: true })).toBeVisible();
    await sendMessage(fresh.page, 'Hello from my new browser');
    await expectMessage(bob.page, 'Alice', 'Hello from my new browser');
    await sendMessage(bob.page, 'Welcome back');
    await expectMessage(fresh.page, 'Bob', 'Welcome back');
    await alice.page.evaluate(() => (location.hash = '#/'));
    await contactsNav(alice.page).getByRole('link', { name: 'Bob' }).click();
    await expectMessage(alice.page, 'Bob', 'Welcome back');
    // The old browser has what the new one wrote: it is hers, not a stranger's.
    await expectMessage(alice.page, 'Alice', 'Hello from my new browser');
  });

  await test.step('the old and the new browser both write, and nothing collides', async () => {
    await sendMessage(alice.page, 'Old browser still here');
    await sendMessage(fresh.page, 'New browser too');
    for (const page of [bob.page, alice.page, fresh.page]) {
      await expect(messageFrom(page, 'Alice', 'Old browser still here')).toHaveCount(1);
      await expect(messageFrom(page, 'Alice', 'New browser too')).toHaveCount(1);
    }
    // Bob sees one Alice: her two browsers are not told apart as look-alike strangers.
    await expect(messageFrom(bob.page, 'Alice (', 'New browser too')).toHaveCount(0);
  });
});
