// The accessibility audit (issue 15): axe-core on every main screen and dialog — onboarding, the
// empty list, a room at desktop and at phone width, contacts, Settings, each dialog, an incoming
// call and a call — in the light and in the dark theme. No serious or critical violation passes.
import type { Locator, Page } from '@playwright/test';
import { expectAccessible } from './axe.js';
import {
  composer,
  conversations,
  createRoom,
  expect,
  expectMessage,
  meetInRoom,
  memberList,
  messageFrom,
  onboard,
  sendMessage,
  test,
} from './fixtures.js';

/** A phone's viewport (the narrow layout starts below 768 px). */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 720 };

const dialog = (page: Page, name: string | RegExp): Locator => page.getByRole('dialog', { name });

/** Closes the open dialog the way a person would: its Cancel or Close button. */
async function closeWith(page: Page, dialogName: string | RegExp, button: string): Promise<void> {
  const shown = dialog(page, dialogName);
  await shown.getByRole('button', { name: button, exact: true }).click();
  await expect(shown).toBeHidden();
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(`${theme} theme`, () => {
    test.use({ colorScheme: theme });

    test('one person: onboarding, the list, a room, its dialogs, Settings', async ({
      openUser,
    }, testInfo) => {
      test.setTimeout(120_000);
      const { page } = await openUser('alice');
      const audit = (screen: string): Promise<void> =>
        expectAccessible(page, `${theme}: ${screen}`, testInfo);

      await test.step('onboarding', async () => {
        await page.goto('/');
        await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible();
        await audit('onboarding');
      });

      await test.step('the empty list', async () => {
        await onboard(page, 'Alice');
        await expect(conversations(page)).toContainText('No conversations yet');
        await audit('empty list');
      });

      await test.step('a room at desktop width', async () => {
        await createRoom(page);
        await sendMessage(page, 'Hello there');
        await expectMessage(page, 'Alice', 'Hello there');
        await audit('room (desktop)');
        // The message's actions show while the pointer is over it.
        await messageFrom(page, 'Alice', 'Hello there').hover();
        await expect(page.getByRole('button', { name: 'Reply' })).toBeVisible();
        await audit('room with message actions');
      });

      await test.step('the conversation menu and its dialogs', async () => {
        await conversations(page).getByRole('button', { name: 'Conversation options' }).click();
        await expect(page.getByRole('menu')).toBeVisible();
        await audit('conversation menu');
        await page.getByRole('menuitem', { name: 'Delete' }).click();
        await expect(dialog(page, /Delete/)).toBeVisible();
        await audit('delete conversation dialog');
        await closeWith(page, /Delete/, 'Cancel');
      });

      await test.step('room details, profile, emoji picker, delete message', async () => {
        await page.getByRole('button', { name: 'Room details' }).click();
        await expect(dialog(page, 'Room details')).toBeVisible();
        await audit('room details dialog');
        await closeWith(page, 'Room details', 'Cancel');

        await page.getByRole('button', { name: 'Edit profile' }).click();
        await expect(page.getByRole('dialog')).toBeVisible();
        await audit('profile dialog');
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog')).toBeHidden();

        await page.getByRole('button', { name: 'Emoji' }).click();
        await expect(page.getByRole('dialog', { name: /emoji/i })).toBeVisible();
        await audit('emoji picker');
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog', { name: /emoji/i })).toBeHidden();

        const message = messageFrom(page, 'Alice', 'Hello there');
        await message.hover();
        await message.getByRole('button', { name: 'Delete' }).click();
        await expect(dialog(page, /Delete this message/)).toBeVisible();
        await audit('delete message dialog');
        await closeWith(page, /Delete this message/, 'Cancel');
      });

      await test.step('invite a contact', async () => {
        await page.getByRole('button', { name: 'Invite a contact' }).click();
        await expect(dialog(page, 'Invite a contact').getByRole('textbox')).toBeVisible();
        await audit('invite dialog');
        await closeWith(page, 'Invite a contact', 'Close');
      });

      await test.step('Settings and its dialog', async () => {
        await page.getByRole('link', { name: 'Settings' }).click();
        await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
        await audit('settings');
        await page.getByRole('button', { name: 'Delete all data' }).click();
        await expect(dialog(page, 'Delete all data?')).toBeVisible();
        await audit('delete all data dialog');
        await closeWith(page, 'Delete all data?', 'Cancel');
      });

      await test.step('a room and the list at phone width', async () => {
        await page.setViewportSize(PHONE);
        await page.goBack();
        await expect(composer(page)).toBeVisible();
        await audit('room (phone)');
        await page.getByRole('button', { name: 'Members' }).click();
        await expect(dialog(page, 'Members')).toBeVisible();
        await audit('members (phone)');
        await closeWith(page, 'Members', 'Close');
        await page.getByRole('link', { name: 'Back to conversations' }).click();
        await expect(conversations(page)).toBeVisible();
        await audit('list (phone)');
        await page.setViewportSize(DESKTOP);
      });
    });

    test('two people: members, contacts, a contact request, an incoming call, a call', async ({
      openUser,
    }, testInfo) => {
      test.setTimeout(120_000);
      const alice = await openUser('alice');
      const bob = await openUser('bob');
      const audit = (page: Page, screen: string): Promise<void> =>
        expectAccessible(page, `${theme}: ${screen}`, testInfo);

      await meetInRoom(alice.page, bob.page);
      await sendMessage(bob.page, 'Hi Alice');
      await expectMessage(alice.page, 'Bob', 'Hi Alice');

      await test.step('a room with someone online', async () => {
        await audit(alice.page, 'room with a member online');
        await memberList(alice.page)
          .getByRole('button', { name: 'Remove Bob from the room' })
          .click();
        await expect(dialog(alice.page, 'Remove Bob?')).toBeVisible();
        await audit(alice.page, 'remove member dialog');
        await closeWith(alice.page, 'Remove Bob?', 'Cancel');
      });

      await test.step('at phone width: the room and its members with their buttons', async () => {
        await alice.page.setViewportSize(PHONE);
        await audit(alice.page, 'room with a member online (phone)');
        await alice.page.getByRole('button', { name: /^Members/ }).click();
        const members = dialog(alice.page, 'Members');
        await expect(members.getByRole('button', { name: 'Video call: Bob' })).toBeVisible();
        await audit(alice.page, 'members with call buttons (phone)');
        await closeWith(alice.page, 'Members', 'Close');
        await alice.page.setViewportSize(DESKTOP);
      });

      await test.step('a contact request, contacts, the safety number', async () => {
        await memberList(alice.page).getByRole('button', { name: 'Add contact: Bob' }).click();
        const request = dialog(bob.page, 'Contact request from Alice');
        await expect(request).toBeVisible();
        await audit(bob.page, 'contact request dialog');
        await request.getByRole('button', { name: 'Accept' }).click();
        const contacts = bob.page.getByRole('navigation', { name: 'Contacts' });
        await contacts.getByRole('link', { name: /Alice/ }).click();
        await expect(composer(bob.page)).toBeVisible();
        await audit(bob.page, 'contacts and a direct chat');
        await bob.page.getByRole('button', { name: 'Safety number' }).click();
        await expect(dialog(bob.page, 'Safety number with Alice')).toBeVisible();
        await audit(bob.page, 'safety number dialog');
        await bob.page.keyboard.press('Escape');
        await expect(dialog(bob.page, 'Safety number with Alice')).toBeHidden();
        await bob.page.goBack();
        await expect(memberList(bob.page)).toBeVisible();
      });

      await test.step('an incoming call and a call', async () => {
        await memberList(alice.page).getByRole('button', { name: 'Video call: Bob' }).click();
        const incoming = dialog(bob.page, 'Incoming call from Alice');
        await expect(incoming).toBeVisible();
        await audit(bob.page, 'incoming call dialog');
        await incoming.getByRole('button', { name: 'Accept' }).click();
        for (const { page } of [alice, bob]) {
          const call = page.getByRole('region', { name: 'Call' });
          await expect(call.getByRole('button', { name: 'Mute' })).toBeVisible();
        }
        await audit(alice.page, 'a call (caller)');
        await audit(bob.page, 'a call (callee)');
        await alice.page.getByRole('button', { name: 'Hang up' }).click();
        await expect(bob.page.getByRole('region', { name: 'Call' })).toBeHidden();
      });
    });
  });
}
