import {
  composer,
  connectionStatus,
  createRoom,
  expect,
  expectMember,
  joinRoom,
  messageFrom,
  messageLog,
  onboard,
  sendMessagesQuickly,
  readWholeHistory,
  shownTexts,
  storedMessages,
  test,
  waitForServiceWorker,
  type User,
} from './fixtures.js';

const AUTHORS = ['Alice', 'Bob', 'Carol'] as const;
type Author = (typeof AUTHORS)[number];
/** Messages per author per burst. */
const BURST = 20;
/** What the view loads when a room opens (MESSAGE_PAGE_SIZE in web/src/lib/config.ts). */
const PAGE_SIZE = 100;
/** One message text: fixed width, so no text contains another. */
const MESSAGE = /\b(?:Alice|Bob|Carol) says \d{3}\b/;

test('three members lose links, reload, go offline and lose the server, yet end with one identical, complete history', async ({
  openUser,
  signalServer,
}) => {
  test.setTimeout(180_000);
  const users: Record<Author, User> = {
    Alice: await openUser('alice'),
    Bob: await openUser('bob'),
    Carol: await openUser('carol'),
  };
  const pageOf = (author: Author) => users[author].page;
  const written: Record<Author, string[]> = { Alice: [], Bob: [], Carol: [] };
  /** The next `count` texts of `author`, remembered as written. */
  const next = (author: Author, count: number): string[] => {
    const from = written[author].length;
    const texts = Array.from(
      { length: count },
      (_, i) => `${author} says ${String(from + i + 1).padStart(3, '0')}`,
    );
    written[author].push(...texts);
    return texts;
  };
  /** `authors` each send a burst at once, from their own tabs. */
  const burst = (authors: readonly Author[], count = BURST): Promise<void[]> =>
    Promise.all(authors.map((author) => sendMessagesQuickly(pageOf(author), next(author, count))));
  /**
   * Waits until `reader` shows the text `author` wrote `back` messages ago (1: the latest). Links
   * may be coming back up, so this waits longer than the default.
   */
  const sees = (reader: Author, author: Author, back = 1): Promise<void> =>
    expect(messageFrom(pageOf(reader), author, written[author].at(-back) ?? '')).toBeVisible({
      timeout: 30_000,
    });

  /** Waits until every own message `author`'s log shows is "Delivered" (or beyond, "Read"). */
  const ownAllDelivered = async (author: Author): Promise<void> => {
    const own = messageLog(pageOf(author))
      .getByRole('article')
      .filter({ hasText: `${author} says ` });
    await expect(own).not.toHaveCount(0);
    await expect(own.filter({ hasNotText: /\b(?:Delivered|Read)\b/ })).toHaveCount(0, {
      timeout: 30_000,
    });
  };

  const link = await test.step('Alice, Bob and Carol meet in a room', async () => {
    await onboard(pageOf('Alice'), 'Alice');
    const link = await createRoom(pageOf('Alice'));
    await joinRoom(pageOf('Bob'), link, 'Bob');
    await joinRoom(pageOf('Carol'), link, 'Carol');
    for (const reader of AUTHORS) {
      for (const member of AUTHORS) {
        if (member !== reader) await expectMember(pageOf(reader), member, 'online');
      }
    }
    return link;
  });

  await test.step('all three write at once', async () => {
    await burst(AUTHORS);
  });

  await test.step('Alice goes offline, the signal server restarts mid-stream, Alice comes back', async () => {
    // Chromium's offline emulation fails new connections (the signal socket's reconnects) but
    // leaves open WebSockets and WebRTC data channels alone; the restart closes the socket.
    await users.Alice.context.setOffline(true);
    const sending = burst(AUTHORS);
    await sees('Alice', 'Bob', BURST - 4);
    await signalServer.restart();
    await expect(connectionStatus(pageOf('Alice'))).toHaveText(/Offline/, { timeout: 15_000 });
    await sending;
    for (const author of ['Bob', 'Carol'] as const) {
      await expect(connectionStatus(pageOf(author))).toHaveText('Online', { timeout: 35_000 });
    }
    await burst(AUTHORS, 10);
    await users.Alice.context.setOffline(false);
    await expect(connectionStatus(pageOf('Alice'))).toHaveText('Online', { timeout: 35_000 });
  });

  await test.step("Carol's tab crashes mid-stream, cutting her links, and she opens the room again", async () => {
    const crashed = pageOf('Carol');
    const sending = burst(['Alice', 'Bob']);
    await sees('Carol', 'Alice', BURST - 4);
    const cdp = await users.Carol.context.newCDPSession(crashed);
    const hasCrashed = crashed.waitForEvent('crash');
    // The renderer dies: its data channels vanish without a `bye`, as when a phone kills a tab.
    cdp.send('Page.crash').catch(() => undefined);
    await hasCrashed;
    await sending;
    users.Carol = { ...users.Carol, page: await users.Carol.context.newPage() };
    await joinRoom(pageOf('Carol'), link);
    await burst(['Carol']);
  });

  await test.step('Bob reloads mid-stream', async () => {
    const sending = burst(['Alice', 'Carol']);
    await sees('Bob', 'Carol', BURST - 4);
    await pageOf('Bob').reload();
    await expect(composer(pageOf('Bob'))).toBeVisible();
    await sending;
    await burst(['Bob']);
  });

  await test.step('all three write a last burst', async () => {
    await burst(AUTHORS, 10);
    for (const author of AUTHORS) {
      expect(written[author].length).toBeGreaterThanOrEqual(100);
      for (const reader of AUTHORS) await sees(reader, author);
    }
  });

  const everything = [...written.Alice, ...written.Bob, ...written.Carol];
  const history = await test.step('all three store every message once, in one order', async () => {
    for (const author of AUTHORS) {
      await expect
        .poll(async () => (await storedMessages(pageOf(author), link)).length, { timeout: 60_000 })
        .toBe(everything.length);
    }
    const stored = await storedMessages(pageOf('Alice'), link);
    const history = stored.map(({ kind, text }) => text ?? `(a ${kind} event)`);
    expect([...history].sort()).toEqual([...everything].sort());
    for (const author of AUTHORS) {
      // Each author's messages in the order written, i.e. per-author seq order.
      expect(history.filter((text) => text.startsWith(`${author} `))).toEqual(written[author]);
      expect(await storedMessages(pageOf(author), link)).toEqual(stored);
    }
    return history;
  });

  await test.step('Alice, who never reloaded, shows the whole history in that order', async () => {
    expect((await readWholeHistory(pageOf('Alice'), MESSAGE, history[0]!)).texts).toEqual(history);
  });

  await test.step('every own message shown reaches "Delivered"', async () => {
    for (const author of AUTHORS) await ownAllDelivered(author);
  });

  await test.step('after a reload all three show the same newest messages, still delivered', async () => {
    for (const author of AUTHORS) {
      const page = pageOf(author);
      await page.reload();
      await expect(messageLog(page).getByRole('article')).toHaveCount(PAGE_SIZE);
      expect(await shownTexts(page, MESSAGE)).toEqual(history.slice(-PAGE_SIZE));
      await ownAllDelivered(author);
    }
  });
});

test('two members write 200 messages while the signal server is SIGKILLed and restarted; both end with all of them once, in order', async ({
  openUser,
  signalServer,
}) => {
  test.setTimeout(180_000);
  const users: Record<'Alice' | 'Bob', User> = {
    Alice: await openUser('alice'),
    Bob: await openUser('bob'),
  };
  const authors = ['Alice', 'Bob'] as const;
  const pageOf = (author: 'Alice' | 'Bob') => users[author].page;
  const written: Record<'Alice' | 'Bob', string[]> = { Alice: [], Bob: [] };
  const next = (author: 'Alice' | 'Bob', count: number): string[] => {
    const from = written[author].length;
    const texts = Array.from(
      { length: count },
      (_, i) => `${author} says ${String(from + i + 1).padStart(3, '0')}`,
    );
    written[author].push(...texts);
    return texts;
  };
  const burst = (count: number): Promise<void[]> =>
    Promise.all(authors.map((author) => sendMessagesQuickly(pageOf(author), next(author, count))));

  const link =
    await test.step('Alice and Bob meet in a room; the app is installed offline', async () => {
      await onboard(pageOf('Alice'), 'Alice');
      const link = await createRoom(pageOf('Alice'));
      await joinRoom(pageOf('Bob'), link, 'Bob');
      await expectMember(pageOf('Alice'), 'Bob', 'online');
      await expectMember(pageOf('Bob'), 'Alice', 'online');
      for (const author of authors) await waitForServiceWorker(pageOf(author));
      return link;
    });

  await test.step('the signal server is SIGKILLed in the middle of a burst of 100', async () => {
    const sending = burst(50);
    await expect(messageFrom(pageOf('Bob'), 'Alice', written.Alice[14] ?? '')).toBeVisible();
    await signalServer.stop('SIGKILL');
    expect((await signalServer.status()).isRunning).toBe(false);
    await sending;
    for (const author of authors) {
      await expect(connectionStatus(pageOf(author))).toHaveText(/Reconnecting…|Offline/, {
        timeout: 15_000,
      });
    }
  });

  await test.step('while it is down Bob reloads (their link drops) and both write 100 more', async () => {
    await pageOf('Bob').reload();
    await expect(composer(pageOf('Bob'))).toBeVisible();
    await burst(50);
  });

  await test.step('the server comes back: both reconnect and meet again', async () => {
    await signalServer.start();
    for (const author of authors) {
      await expect(connectionStatus(pageOf(author))).toHaveText('Online', { timeout: 35_000 });
    }
    await expectMember(pageOf('Alice'), 'Bob', 'online');
    await expectMember(pageOf('Bob'), 'Alice', 'online');
  });

  await test.step('both store all 200 once, each author’s in the order written, in one order', async () => {
    const everything = [...written.Alice, ...written.Bob];
    expect(everything).toHaveLength(200);
    for (const author of authors) {
      await expect
        .poll(async () => (await storedMessages(pageOf(author), link)).length, { timeout: 60_000 })
        .toBe(everything.length);
    }
    const stored = await storedMessages(pageOf('Alice'), link);
    const history = stored.map(({ text }) => text ?? '');
    expect([...history].sort()).toEqual([...everything].sort());
    for (const author of authors) {
      expect(history.filter((text) => text.startsWith(`${author} `))).toEqual(written[author]);
    }
    expect(await storedMessages(pageOf('Bob'), link)).toEqual(stored);
  });

  await test.step('both show the same 200 in that order', async () => {
    // What came in as one flood shows together, up to a second after it is stored
    // (FLOOD_SHOW_MS): the other's last message is shown once it is.
    for (const [author, other] of [
      ['Alice', 'Bob'],
      ['Bob', 'Alice'],
    ] as const) {
      await expect(messageFrom(pageOf(author), other, written[other].at(-1) ?? '')).toBeVisible();
    }
    const history = (await storedMessages(pageOf('Alice'), link)).map(({ text }) => text ?? '');
    for (const author of authors) {
      const shown = await readWholeHistory(pageOf(author), MESSAGE, history[0]!);
      expect(shown.texts).toEqual(history);
    }
  });
});
