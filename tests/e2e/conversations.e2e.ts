import type { Locator, Page } from '@playwright/test';
import {
  meetInRoom,
  conversations,
  expect,
  expectMember,
  roomKey,
  sendMessage,
  test,
} from './fixtures.js';

/** A conversation's row in the list: its link (named by title, with "n unread") and options. */
function rowOf(page: Page, title: string): Locator {
  return conversations(page)
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: title }) });
}

/** Opens the row's "Conversation options" menu and picks `item`. */
async function pick(page: Page, title: string, item: string): Promise<void> {
  await rowOf(page, title).getByRole('button', { name: 'Conversation options' }).click();
  await page
    .getByRole('menu', { name: 'Conversation options' })
    .getByRole('menuitem', { name: item })
    .click();
}

test('the conversation list counts unread, mutes, archives and deletes a room', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');

  const link = await meetInRoom(alice.page, bob.page);
  const title = `Room ${roomKey(link).slice(0, 4)}`;

  await test.step('Bob writes twice while Alice is on the home screen: 2 unread, in the title too', async () => {
    await alice.page.goto('/#/');
    await expect(alice.page.getByRole('heading', { name: 'Start talking' })).toBeVisible();
    await sendMessage(bob.page, 'First from Bob');
    await sendMessage(bob.page, 'Second from Bob');
    await expect(
      conversations(alice.page).getByRole('link', { name: `${title}, 2 unread`, exact: true }),
    ).toBeVisible();
    await expect(rowOf(alice.page, title)).toContainText('Second from Bob');
    await expect(alice.page).toHaveTitle('(2) Parley');
  });

  await test.step('the options menu works from the keyboard and gives focus back', async () => {
    const options = rowOf(alice.page, title).getByRole('button', { name: 'Conversation options' });
    await expect(options).toHaveAttribute('aria-haspopup', 'menu');
    await options.focus();
    await options.press('Enter');
    const menu = alice.page.getByRole('menu', { name: 'Conversation options' });
    await expect(menu.getByRole('menuitem', { name: 'Mute' })).toBeFocused();
    await alice.page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name: 'Archive' })).toBeFocused();
    await alice.page.keyboard.press('End');
    await expect(menu.getByRole('menuitem', { name: 'Leave room' })).toBeFocused();
    await alice.page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name: 'Mute' })).toBeFocused();
    await alice.page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
    await expect(options).toBeFocused();
    await expect(options).toHaveAttribute('aria-expanded', 'false');
  });

  await test.step('muted, the room keeps its count but the title no longer counts it', async () => {
    await pick(alice.page, title, 'Mute');
    await expect(rowOf(alice.page, title).getByRole('img', { name: 'Muted' })).toBeVisible();
    await expect(alice.page).toHaveTitle('Parley');
    await expect(
      conversations(alice.page).getByRole('link', { name: `${title}, 2 unread`, exact: true }),
    ).toBeVisible();
  });

  await test.step('archived, the room moves under "Archived (1)" and comes back when unarchived', async () => {
    await pick(alice.page, title, 'Archive');
    const archivedToggle = conversations(alice.page).getByRole('button', { name: 'Archived (1)' });
    await expect(archivedToggle).toHaveAttribute('aria-expanded', 'false');
    await expect(conversations(alice.page).getByRole('link', { name: title })).toBeHidden();

    await archivedToggle.click();
    await expect(archivedToggle).toHaveAttribute('aria-expanded', 'true');
    const archivedList = conversations(alice.page).getByRole('list', { name: 'Archived (1)' });
    await expect(archivedList.getByRole('link', { name: title })).toBeVisible();

    await pick(alice.page, title, 'Unarchive');
    await expect(archivedToggle).toBeHidden();
    await expect(conversations(alice.page).getByRole('link', { name: title })).toBeVisible();
  });

  await test.step('deleting the open room asks first, then takes Alice home; Bob sees her go', async () => {
    await conversations(alice.page).getByRole('link', { name: title }).click();
    await expect(alice.page).toHaveURL(link);

    await pick(alice.page, title, 'Delete');
    const dialog = alice.page.getByRole('dialog', { name: 'Delete this conversation?' });
    await expect(dialog).toContainText(title);
    // Focus starts on Cancel (the safe choice) and Tab never takes it out of the dialog; Escape
    // closes it and gives focus back to the button that opened it.
    const cancel = dialog.getByRole('button', { name: 'Cancel' });
    await expect(cancel).toBeFocused();
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await alice.page.keyboard.press(key);
      const isInside = await dialog.evaluate((shown) => {
        const focused = document.activeElement;
        return !focused || focused === document.body || shown.contains(focused);
      });
      expect(isInside, `focus after ${key}`).toBe(true);
    }
    await alice.page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    const options = rowOf(alice.page, title).getByRole('button', { name: 'Conversation options' });
    await expect(options).toBeFocused();

    // It slides in, unless the person asked for less motion.
    const animation = (): Promise<string> =>
      dialog.evaluate((shown) => getComputedStyle(shown).animationName);
    await pick(alice.page, title, 'Delete');
    expect(await animation()).not.toBe('none');
    await cancel.click();
    await expect(dialog).toBeHidden();
    await expect(options).toBeFocused();
    await alice.page.emulateMedia({ reducedMotion: 'reduce' });
    await pick(alice.page, title, 'Delete');
    expect(await animation()).toBe('none');
    await cancel.click();
    await expect(dialog).toBeHidden();
    await alice.page.emulateMedia({ reducedMotion: null });
    await expect(conversations(alice.page).getByRole('link', { name: title })).toBeVisible();

    await pick(alice.page, title, 'Delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.page).toHaveURL(/\/#\/$/);
    await expect(conversations(alice.page)).toContainText('No conversations yet');
    await expectMember(bob.page, 'Alice', 'offline');
  });

  await test.step('after a reload the room is still gone', async () => {
    await alice.page.reload();
    await expect(conversations(alice.page)).toContainText('No conversations yet');
    await expect(conversations(alice.page).getByRole('link')).toHaveCount(0);
    await expect(alice.page).toHaveTitle('Parley');
  });

  await test.step('Bob leaves the room after confirming and is taken home', async () => {
    await pick(bob.page, title, 'Leave room');
    const dialog = bob.page.getByRole('dialog', { name: 'Leave this room?' });
    await dialog.getByRole('button', { name: 'Leave room' }).click();
    await expect(bob.page).toHaveURL(/\/#\/$/);
    await expect(conversations(bob.page)).toContainText('No conversations yet');
  });
});
