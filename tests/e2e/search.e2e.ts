// Search (issue 17): a message far back in a long history is found as you type — Latin words with
// case and accents folded, Chinese by its characters — and opening the result shows it in its
// conversation, highlighted. An edited message is found by its new words only; a deleted one is
// not found.
import type { Page } from '@playwright/test';
import {
  composer,
  createRoom,
  expect,
  messageFrom,
  messageLog,
  onboard,
  MESSAGE_WINDOW_MAX,
  readWholeHistory,
  sendMessage,
  sendMessagesQuickly,
  test,
} from './fixtures.js';

/** Messages written after the ones searched for. */
const LATER_MESSAGES = 2_000;

const searchBox = (page: Page) => page.getByRole('combobox', { name: 'Search messages' });
const results = (page: Page) => page.getByRole('listbox', { name: 'Search results' });
const highlighted = (page: Page) => messageLog(page).locator('article[aria-current="true"]');

/** Searches for `query` and waits for the result holding `text`. */
async function search(page: Page, query: string, text: string): Promise<void> {
  await searchBox(page).fill(query);
  await expect(results(page).getByRole('option').filter({ hasText: text })).toBeVisible();
}

test('finds old messages among thousands and opens them; follows edits and deletions', async ({
  openUser,
}) => {
  test.setTimeout(240_000);
  const { page } = await openUser('ada');
  await onboard(page, 'Ada');
  await createRoom(page);

  await test.step(`two messages, then ${LATER_MESSAGES} more`, async () => {
    await sendMessage(page, 'The secret rendezvous is at the old Lighthouse');
    await sendMessage(page, '我们明天下午三点见面');
    const later = Array.from({ length: LATER_MESSAGES }, (_, i) => `later message number ${i}`);
    await sendMessagesQuickly(page, later);
    await expect(messageFrom(page, 'Ada', `number ${LATER_MESSAGES - 1}`)).toBeVisible();
    // The first messages are far back: not loaded in the view.
    await expect(messageLog(page).getByText('rendezvous')).toHaveCount(0);
  });

  await test.step('a Latin word (case folded, the last one as a prefix) finds the old message', async () => {
    // Typing / in the composer is text; Ctrl+K goes to the search box from anywhere.
    await composer(page).press('/');
    await expect(composer(page)).toHaveValue('/');
    await composer(page).fill('');
    await composer(page).press('Control+k');
    await expect(searchBox(page)).toBeFocused();
    await search(page, 'lighth', 'rendezvous');
    const option = results(page).getByRole('option').filter({ hasText: 'rendezvous' });
    await expect(option.locator('mark')).toHaveText('Lighthouse');
    await expect(results(page).getByRole('option')).toHaveCount(1);
    await option.click();
    await expect(highlighted(page)).toContainText('The secret rendezvous is at the old Lighthouse');
    await expect(highlighted(page)).toBeInViewport();
    await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
  });

  await test.step('下午 finds 我们明天下午三点见面; arrows and Enter open it', async () => {
    await search(page, '下午', '我们明天下午三点见面');
    await expect(results(page).getByRole('option').locator('mark')).toHaveText('下午');
    await searchBox(page).press('ArrowDown');
    await searchBox(page).press('Enter');
    await expect(highlighted(page)).toContainText('我们明天下午三点见面');
    await expect(highlighted(page)).toBeInViewport();
  });

  await test.step('an edited message is found by its new words only', async () => {
    await search(page, 'rendezvous', 'rendezvous');
    await results(page).getByRole('option').first().click();
    const message = highlighted(page);
    await message.hover();
    await message.getByRole('button', { name: 'Edit', exact: true }).click();
    await expect(composer(page)).toHaveValue('The secret rendezvous is at the old Lighthouse');
    await composer(page).fill('We meet at the harbour instead');
    await composer(page).press('Enter');
    await expect(messageLog(page).getByText('We meet at the harbour instead')).toBeVisible();
    await search(page, 'harbour', 'We meet at the harbour instead');
    await searchBox(page).fill('lighthouse');
    await expect(page.getByRole('status').filter({ hasText: 'No messages found' })).toBeVisible();
    await expect(results(page).getByRole('option')).toHaveCount(0);
  });

  await test.step('a deleted message is not found', async () => {
    await search(page, '下午三点', '我们明天下午三点见面');
    await results(page).getByRole('option').first().click();
    const message = highlighted(page);
    await expect(message).toContainText('我们明天下午三点见面');
    await message.hover();
    await message.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this message for everyone?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(messageLog(page).getByText('我们明天下午三点见面')).toHaveCount(0);
    await searchBox(page).fill('下午');
    await expect(page.getByRole('status').filter({ hasText: 'No messages found' })).toBeVisible();
  });

  await test.step('from a result far back, scrolling down brings every later message', async () => {
    await search(page, 'harbour', 'We meet at the harbour instead');
    await results(page).getByRole('option').first().click();
    await expect(highlighted(page)).toContainText('We meet at the harbour instead');
    const later = Array.from({ length: LATER_MESSAGES }, (_, i) => `later message number ${i}`);
    const read = await readWholeHistory(page, /later message number \d+/, later[0]!);
    expect(read.texts).toEqual(later);
    expect(read.mostShown).toBeLessThanOrEqual(MESSAGE_WINDOW_MAX);
  });

  await test.step('Jump to latest shows the newest at once', async () => {
    await search(page, 'harbour', 'We meet at the harbour instead');
    await results(page).getByRole('option').first().click();
    await expect(highlighted(page)).toBeInViewport();
    const newest = messageFrom(page, 'Ada', `number ${LATER_MESSAGES - 1}`);
    await expect(newest).toHaveCount(0);
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect(newest).toBeInViewport();
    await expect(newest).toBeFocused();
    await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);
    await expect(highlighted(page)).toHaveCount(0);
  });

  await test.step('Escape clears the search and closes the results', async () => {
    await searchBox(page).fill('later message');
    await expect(results(page).getByRole('option').first()).toBeVisible();
    await searchBox(page).press('Escape');
    await expect(searchBox(page)).toHaveValue('');
    await expect(results(page)).toBeHidden();
  });
});
