import {
  createRoom,
  meetInRoom,
  expect,
  onboard,
  joinRoom,
  messageLog,
  sendMessagesQuickly,
  MESSAGE_WINDOW_MAX,
  readWholeHistory,
  sendMessage,
  shownTexts,
  storedMessages,
  test,
} from './fixtures.js';

/** Messages each of Alice and Bob writes before Carol arrives. */
const PER_AUTHOR = 250;
/** What the view loads when a room opens (MESSAGE_PAGE_SIZE in web/src/lib/config.ts). */
const PAGE_SIZE = 100;
/** One message text: fixed width, so no text contains another. */
const MESSAGE = /\b(?:Alice|Bob) note \d{3}\b/;
const textsOf = (author: string): string[] =>
  Array.from({ length: PER_AUTHOR }, (_, i) => `${author} note ${String(i + 1).padStart(3, '0')}`);

test('a late joiner gets the whole history of a 500-message room', async ({ openUser }) => {
  test.setTimeout(180_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const carol = await openUser('carol');
  const written = { Alice: textsOf('Alice'), Bob: textsOf('Bob') };

  const link = await test.step('Alice and Bob share a room', async () => {
    const link = await meetInRoom(alice.page, bob.page);
    return link;
  });

  const history = await test.step('Alice and Bob write 500 messages between them', async () => {
    await Promise.all([
      sendMessagesQuickly(alice.page, written.Alice),
      sendMessagesQuickly(bob.page, written.Bob),
    ]);
    for (const page of [alice.page, bob.page]) {
      await expect
        .poll(async () => (await storedMessages(page, link)).length, { timeout: 30_000 })
        .toBe(2 * PER_AUTHOR);
    }
    const stored = (await storedMessages(alice.page, link)).map(({ text }) => text ?? '');
    const history = (await readWholeHistory(alice.page, MESSAGE, stored[0]!)).texts;
    expect(history).toEqual(stored);
    expect((await readWholeHistory(bob.page, MESSAGE, stored[0]!)).texts).toEqual(history);
    // Complete, each once, and each author's messages in the order they were written.
    expect([...history].sort()).toEqual([...written.Alice, ...written.Bob].sort());
    for (const [author, texts] of Object.entries(written)) {
      expect(history.filter((text) => text.startsWith(`${author} `))).toEqual(texts);
    }
    return history;
  });

  await test.step('Carol opens the link and sees all 500, in the same order', async () => {
    await joinRoom(carol.page, link, 'Carol');
    // Following the newest, the view keeps only the latest pages; the rest come in on scrolling.
    await expect(messageLog(carol.page).getByText(history.at(-1)!)).toBeVisible({
      timeout: 30_000,
    });
    await expect
      .poll(async () => (await storedMessages(carol.page, link)).length, { timeout: 30_000 })
      .toBe(2 * PER_AUTHOR);
    const read = await readWholeHistory(carol.page, MESSAGE, history[0]!);
    expect(read.texts).toEqual(history);
    // The log never held more than its window, however far Carol scrolled.
    expect(read.mostShown).toBeLessThanOrEqual(MESSAGE_WINDOW_MAX);
    // Back at the newest: rows far above the view are in chunks the browser skips
    // (content-visibility), so a new message's frame does not cover them; the newest are drawn.
    const articles = messageLog(carol.page).getByRole('article');
    await expect(articles.last()).toBeInViewport();
    const isDrawn = (index: number) =>
      articles.nth(index).evaluate((row) => row.checkVisibility({ contentVisibilityAuto: true }));
    await expect.poll(() => isDrawn(0)).toBe(false);
    expect(await isDrawn(-1)).toBe(true);
  });

  await test.step('Carol stores all 500 in IndexedDB, in display order', async () => {
    const stored = await storedMessages(carol.page, link);
    expect(stored.map(({ text }) => text)).toEqual(history);
    expect(await storedMessages(alice.page, link)).toEqual(stored);
  });

  await test.step('after a reload Carol sees the newest 100 and scrolls back through all 500', async () => {
    await carol.page.reload();
    const articles = messageLog(carol.page).getByRole('article');
    await expect(articles).toHaveCount(PAGE_SIZE);
    expect(await shownTexts(carol.page, MESSAGE)).toEqual(history.slice(-PAGE_SIZE));
    const read = await readWholeHistory(carol.page, MESSAGE, history[0]!);
    expect(read.texts).toEqual(history);
    expect(read.mostShown).toBeGreaterThan(PAGE_SIZE);
    expect(read.mostShown).toBeLessThanOrEqual(MESSAGE_WINDOW_MAX);
    // A few screens up, Jump to latest brings the newest back (and the keyboard to it).
    const jump = carol.page.getByRole('button', { name: 'Jump to latest' });
    await expect(jump).toHaveCount(0);
    await messageLog(carol.page).evaluate((log) => {
      const scroller = log.closest<HTMLElement>('.scroller')!;
      scroller.scrollTop = -3 * scroller.clientHeight;
    });
    await jump.click();
    const newest = messageLog(carol.page)
      .getByRole('article')
      .filter({ hasText: history.at(-1)! });
    await expect(newest).toBeInViewport();
    await expect(newest).toBeFocused();
    await expect(jump).toHaveCount(0);
    // Back at the newest, the view follows again: a new message shows at once.
    await sendMessage(alice.page, 'Alice writes after the scroll');
    await expect(
      messageLog(carol.page).getByText('Alice writes after the scroll'),
    ).toBeInViewport();
  });
});

test('a late joiner of a long history sees it catch up, and the bar goes once all is here', async ({
  openUser,
}) => {
  test.setTimeout(180_000);
  const COUNT = 3000;
  const alice = await openUser('alice');
  const carol = await openUser('carol');
  const texts = Array.from(
    { length: COUNT },
    (_, i) => `Catch-up note ${String(i + 1).padStart(4, '0')}`,
  );

  const link = await test.step(`Alice writes ${COUNT} messages in a room of her own`, async () => {
    await onboard(alice.page, 'Alice');
    const link = await createRoom(alice.page);
    await sendMessagesQuickly(alice.page, texts);
    await expect
      .poll(async () => (await storedMessages(alice.page, link)).length, { timeout: 60_000 })
      .toBe(COUNT);
    return link;
  });

  await test.step('Carol opens the link: a bar shows how much is here while the rest arrives', async () => {
    // Every state of the bar Carol's page shows, noted from before the app starts (the bar may
    // come and go between two looks from here).
    await carol.page.addInitScript(() => {
      const seen: { value: number; max: number; text: string }[] = [];
      const emptyWhileCatchingUp: string[] = [];
      Object.assign(window, { __catchUpSeen: seen, __emptyWhileCatchingUp: emptyWhileCatchingUp });
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>(
          'progress[aria-label="Catching up on history"]',
        );
        if (!bar) return;
        // While history arrives, the log never says the room has none.
        const empty = document.querySelector('.scroller p.empty:not(.is-loading)')?.textContent;
        if (empty) emptyWhileCatchingUp.push(empty);
        const last = seen.at(-1);
        const text = bar.parentElement?.textContent?.trim() ?? '';
        if (last?.value !== bar.value || last.text !== text) {
          seen.push({ value: bar.value, max: bar.max, text });
        }
      }).observe(document, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
    });
    await joinRoom(carol.page, link, 'Carol');
    await expect
      .poll(async () => (await storedMessages(carol.page, link)).length, { timeout: 60_000 })
      .toBe(COUNT);
    const bar = carol.page.getByRole('progressbar', { name: 'Catching up on history' });
    await expect(bar).toHaveCount(0);
    const seen = await carol.page.evaluate(
      () =>
        (window as unknown as { __catchUpSeen: { value: number; max: number; text: string }[] })
          .__catchUpSeen,
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(
      await carol.page.evaluate(
        () => (window as unknown as { __emptyWhileCatchingUp: string[] }).__emptyWhileCatchingUp,
      ),
    ).toEqual([]);
    const first = seen[0]!;
    // Against what Alice holds (her messages and the room's own events), part of it here.
    expect(first.max).toBeGreaterThanOrEqual(COUNT);
    expect(first.value).toBeLessThan(first.max);
    expect(first.text).toMatch(/^Catching up on history from members… \d{1,2} %$/);
    // Only ever forward.
    for (const [i, state] of seen.entries()) {
      if (i > 0) expect(state.value).toBeGreaterThanOrEqual(seen[i - 1]!.value);
    }
  });
});
