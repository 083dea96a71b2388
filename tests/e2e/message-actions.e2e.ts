import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import {
  meetInRoom,
  composer,
  expect,
  messageFrom,
  messageLog,
  sendMessage,
  test,
} from './fixtures.js';

/** Shows a message's actions (they appear on hover or focus) and presses one. */
async function act(page: Page, author: string, text: string, action: string): Promise<void> {
  // The first: a reply quoting it comes later and contains its text too.
  const message = messageFrom(page, author, text).first();
  await message.hover();
  await message.getByRole('button', { name: action, exact: true }).click();
}

test('replies, reactions, edits and deletions reach the other side and survive reloads', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);

  await test.step('Alice replies to Bob with a quote', async () => {
    await sendMessage(bob.page, 'What time shall we meet?');
    await expect(messageFrom(alice.page, 'Bob', 'What time shall we meet?')).toBeVisible();
    await act(alice.page, 'Bob', 'What time shall we meet?', 'Reply');
    await expect(alice.page.getByText('Replying to Bob')).toBeVisible();
    await sendMessage(alice.page, 'Noon works');
    for (const page of [alice.page, bob.page]) {
      const reply = messageFrom(page, 'Alice', 'Noon works');
      await expect(reply.locator('blockquote')).toContainText('What time shall we meet?');
    }
  });

  await test.step('Bob reacts with a thumbs up; Alice sees it', async () => {
    await act(bob.page, 'Alice', 'Noon works', 'React');
    await messageFrom(bob.page, 'Alice', 'Noon works')
      .first()
      .getByRole('button', { name: 'thumbs up' })
      .click();
    await expect(
      messageFrom(alice.page, 'Alice', 'Noon works').getByRole('button', { name: '👍 1' }),
    ).toBeVisible();
  });

  await test.step('Alice edits her message; Bob sees the new text, marked edited', async () => {
    await act(alice.page, 'Alice', 'Noon works', 'Edit');
    await expect(composer(alice.page)).toHaveValue('Noon works');
    await composer(alice.page).fill('One o’clock works');
    await composer(alice.page).press('Enter');
    const edited = messageFrom(bob.page, 'Alice', 'One o’clock works');
    await expect(edited).toContainText('edited');
    await expect(messageLog(bob.page).getByText('Noon works')).toHaveCount(0);
    // The reaction stays on the edited message.
    await expect(edited.getByRole('button', { name: '👍 1' })).toBeVisible();
  });

  await test.step('Bob deletes his question; both see it deleted, the quote too', async () => {
    await act(bob.page, 'Bob', 'What time shall we meet?', 'Delete');
    const confirm = bob.page.getByRole('dialog', { name: 'Delete this message for everyone?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    for (const page of [alice.page, bob.page]) {
      await expect(messageLog(page).getByText('What time shall we meet?')).toHaveCount(0);
      await expect(messageFrom(page, 'Bob', 'This message was deleted').first()).toBeVisible();
    }
  });

  await test.step('after both reload, everything is as it was', async () => {
    await Promise.all([alice.page.reload(), bob.page.reload()]);
    for (const page of [alice.page, bob.page]) {
      const reply = messageFrom(page, 'Alice', 'One o’clock works');
      await expect(reply).toContainText('edited');
      await expect(reply.getByRole('button', { name: '👍 1' })).toBeVisible();
      await expect(reply.locator('blockquote')).toContainText('This message was deleted');
      await expect(messageFrom(page, 'Bob', 'This message was deleted').first()).toBeVisible();
    }
  });

  await test.step('Bob exports the conversation: a text file with it as he sees it', async () => {
    await sendMessage(bob.page, '我们明天下午三点见面');
    await expect(messageFrom(alice.page, 'Bob', '我们明天下午三点见面')).toBeVisible();
    const download = bob.page.waitForEvent('download');
    await bob.page.getByRole('button', { name: 'Export conversation' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^Room .+ \d{4}-\d{2}-\d{2}\.txt$/);
    const path = await saved.path();
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^Room .+ — exported from Parley on /);
    expect(text).toContain('3 messages');
    expect(text).toContain('Bob: This message was deleted');
    expect(text).toContain('In reply to Bob: This message was deleted');
    expect(text).toContain('Alice: One o’clock works (edited)');
    expect(text).toContain('    👍 1');
    expect(text).toContain('Bob: 我们明天下午三点见面');
    expect(text).not.toContain('What time shall we meet?');
    expect(text).not.toContain('Noon works');
    await expect(bob.page.getByRole('button', { name: 'Export conversation' })).toBeEnabled();
  });
});

test('a room’s name and topic, set by one member, show for everyone and stay', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  await meetInRoom(alice.page, bob.page);

  await alice.page.getByRole('button', { name: 'Room details' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Room details' });
  await dialog.getByRole('textbox', { name: 'Room name' }).fill('Weekend trip');
  await dialog.getByRole('textbox', { name: 'Topic' }).fill('Packing list and times');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();

  for (const page of [alice.page, bob.page]) {
    await expect(page.getByRole('heading', { name: 'Weekend trip' })).toBeVisible();
    await expect(page.getByText('Packing list and times')).toBeVisible();
    await expect(
      page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', {
        name: /Weekend trip/,
      }),
    ).toBeVisible();
  }
  await bob.page.reload();
  await expect(bob.page.getByRole('heading', { name: 'Weekend trip' })).toBeVisible();
});
