import {
  composer,
  createRoom,
  expect,
  messageLog,
  onboard,
  roomKey,
  storedMessages,
  test,
  type User,
} from './fixtures.js';

/** Rounds of "Enter, then reload 0–22 ms later". */
const ROUNDS = 12;
/** Messages in the burst that ends in a reload. */
const BURST = 20;

/**
 * In the page: types `texts` into the composer and presses Enter after each (`gapMs` apart), then
 * reloads `reloadAfterMs` after the last Enter — as when someone sends and closes the tab at once.
 */
async function sendThenReload(
  user: User,
  texts: readonly string[],
  gapMs: number,
  reloadAfterMs: number,
): Promise<void> {
  const box = composer(user.page);
  await expect(box).toBeEditable();
  const navigated = user.page.waitForEvent('framenavigated');
  await box.evaluate(
    async (element, { texts, gapMs, reloadAfterMs }) => {
      const field = element as HTMLTextAreaElement;
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      for (const [index, text] of texts.entries()) {
        if (index > 0) await pause(gapMs);
        field.value = text;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        field.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
        );
      }
      // No await from here on: the reload is timed from the last Enter.
      if (reloadAfterMs === 0) location.reload();
      else setTimeout(() => location.reload(), reloadAfterMs);
    },
    { texts, gapMs, reloadAfterMs },
  );
  await navigated;
  await expect(composer(user.page)).toBeVisible();
}

/** How many of the log's messages contain `text` (texts are fixed width: none contains another). */
async function expectShownOnce(user: User, text: string): Promise<void> {
  const log = messageLog(user.page);
  await expect(log.getByRole('article').filter({ hasText: text })).toHaveCount(1);
}

test('a message sent right before a reload is never lost and never doubled', async ({
  openUser,
}) => {
  test.setTimeout(150_000);
  const alice = await openUser('alice');
  await onboard(alice.page, 'Alice');
  const link = await createRoom(alice.page);
  const written: string[] = [];

  await test.step(`${ROUNDS} rounds: Enter, then a reload 0–22 ms later`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const text = `Round ${String(round + 1).padStart(2, '0')} before the reload`;
      written.push(text);
      await sendThenReload(alice, [text], 0, round * 2);
      await expectShownOnce(alice, text);
    }
  });

  await test.step(`a burst of ${BURST}, 50 ms apart, and a reload right after the last`, async () => {
    const burst = Array.from(
      { length: BURST },
      (_, i) => `Burst ${String(i + 1).padStart(2, '0')} of twenty`,
    );
    written.push(...burst);
    await sendThenReload(alice, burst, 50, 0);
    for (const text of burst) await expectShownOnce(alice, text);
  });

  await test.step('the tab closes right after Enter; a new tab shows the message', async () => {
    const text = 'Closed the tab at once';
    written.push(text);
    await composer(alice.page).fill(text);
    await composer(alice.page).press('Enter');
    await alice.page.close();
    const page = await alice.context.newPage();
    await page.goto(link);
    Object.assign(alice, { page });
    await expectShownOnce(alice, text);
  });

  await test.step('every message is stored exactly once, in the order written, also after another reload', async () => {
    await alice.page.reload();
    await expect(composer(alice.page)).toBeVisible();
    const texts = async (): Promise<string[]> =>
      (await storedMessages(alice.page, link)).flatMap((m) => (m.text ? [m.text] : []));
    await expect.poll(texts).toEqual(written);
    for (const text of written) await expectShownOnce(alice, text);
    // Nothing was left behind to be sent again at the next start.
    const pending = await alice.page.evaluate(
      (room) =>
        Object.keys(localStorage).filter(
          (key) => key.startsWith('parley-outbox:') && localStorage.getItem(key)?.includes(room),
        ).length,
      roomKey(link),
    );
    expect(pending).toBe(0);
  });
});
