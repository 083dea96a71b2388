// Fixtures and helpers for the end-to-end specs. Helpers find elements only by role and accessible
// name, the way a person finds them, and wait only on what a person would see.
import { createHash } from 'node:crypto';
import {
  test as base,
  expect,
  type BrowserContext,
  type Locator,
  type Page,
} from '@playwright/test';
import {
  startCoturn,
  startRedis,
  startSignalNode,
  type RedisService,
  type Service,
  type SignalNode,
  type TurnService,
} from './services.js';
import type { SignalStatus, StopSignal, WebBuild } from './signal-supervisor.js';

export { expect };

/** One person: a browser context of their own (own IndexedDB, own identity) with one page. */
export interface User {
  /** The name used in logs and attachments; helpers take the display name separately. */
  name: string;
  /** The user's isolated browser context. */
  context: BrowserContext;
  /** The user's tab. */
  page: Page;
}

/** Control of the real signal server, which the Playwright runner owns (see global-setup.ts). */
export interface SignalServer {
  /** Current state, PID and port. */
  status(): Promise<SignalStatus>;
  /** Stops the server: SIGTERM (graceful, the default) or SIGKILL (a crash). */
  stop(signal?: StopSignal): Promise<void>;
  /** Starts it again on the same port; resolves once it listens. */
  start(): Promise<void>;
  /** Stops it and starts a new process on the same port. */
  restart(signal?: StopSignal): Promise<void>;
  /** Restarts it serving another web build ('next': the same app with another version). */
  serveWebBuild(build: WebBuild): Promise<void>;
}

/** Outside systems a journey starts for itself; all stopped after the test (services.ts). */
export interface Services {
  /** A real redis-server. */
  redis(): Promise<RedisService>;
  /** A real coturn with a REST secret. */
  coturn(): Promise<TurnService>;
  /** A signal server of its own with `env` (a scale-out node, TURN settings). */
  signalNode(env: Record<string, string>): Promise<SignalNode>;
}

interface Fixtures {
  /** Opens a new person: a fresh browser context and page. Closed after the test. */
  openUser: (name: string) => Promise<User>;
  /** Starts outside systems for this test. */
  services: Services;
  /** The signal server. After every test it is running again, and the test fails if it crashed. */
  signalServer: SignalServer;
}

export const test = base.extend<Fixtures>({
  signalServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern.
    async ({}, use, testInfo) => {
      const before = await control<SignalStatus>('GET', '/status');
      await use({
        status: () => control<SignalStatus>('GET', '/status'),
        stop: async (signal = 'SIGTERM') => {
          await control('POST', `/stop?signal=${signal}`);
        },
        start: async () => {
          await control('POST', '/start');
        },
        restart: async (signal = 'SIGTERM') => {
          await control('POST', `/restart?signal=${signal}`);
        },
        serveWebBuild: async (build) => {
          await control('POST', `/web?build=${build}`);
        },
      });
      const after = await control<SignalStatus>('GET', '/status');
      const hasCrashed = after.unexpectedExits > before.unexpectedExits;
      if (testInfo.status !== testInfo.expectedStatus || hasCrashed) {
        const lines = await control<string[]>('GET', `/log?since=${before.logLines}`);
        await testInfo.attach('signal-server.log', { body: lines.join('\n') });
      }
      // Leave a running server with the usual build for the next test, whatever this one did.
      if (after.webBuild !== 'current') await control('POST', '/web?build=current');
      else if (!after.isRunning) await control('POST', '/start');
      expect(hasCrashed, 'the signal server exited on its own during this test').toBe(false);
    },
    { auto: true },
  ],

  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern.
  services: async ({}, use, testInfo) => {
    const started: { name: string; service: Pick<Service, 'log' | 'stop'> }[] = [];
    const keep = <T extends Pick<Service, 'log' | 'stop'>>(name: string, service: T): T => {
      started.push({ name, service });
      return service;
    };
    await use({
      redis: async () => keep('redis', await startRedis()),
      coturn: async () => keep('coturn', await startCoturn()),
      signalNode: async (env) => keep(`signal-node-${started.length}`, await startSignalNode(env)),
    });
    const hasFailed = testInfo.status !== testInfo.expectedStatus;
    // Signal nodes first (they leave Redis cleanly), then what they use.
    for (const { name, service } of started.reverse()) {
      if (hasFailed) await testInfo.attach(`${name}.log`, { body: service.log().join('\n') });
      await service.stop();
    }
  },

  openUser: async ({ browser }, use, testInfo) => {
    const opened: { user: User; log: string[] }[] = [];
    await use(async (name) => {
      // browser.newContext() inside a test gets the config's `use` options (baseURL, permissions…).
      const context = await browser.newContext();
      const page = await context.newPage();
      const log: string[] = [];
      const started = Date.now();
      const stamp = (): string => `${String(Date.now() - started).padStart(6)}ms`;
      page.on('console', (message) => log.push(`${stamp()} [${message.type()}] ${message.text()}`));
      page.on('pageerror', (error) => log.push(`${stamp()} [pageerror] ${error.stack ?? error}`));
      page.on('crash', () => log.push(`${stamp()} [crash] the page crashed`));
      const user = { name, context, page };
      opened.push({ user, log });
      return user;
    });
    const hasFailed = testInfo.status !== testInfo.expectedStatus;
    for (const { user, log } of opened) {
      if (hasFailed) await testInfo.attach(`console-${user.name}.log`, { body: log.join('\n') });
      await user.context.close();
    }
  },
});

async function control<T = unknown>(method: 'GET' | 'POST', route: string): Promise<T> {
  const controlUrl = process.env.PARLEY_SIGNAL_CONTROL_URL;
  if (!controlUrl)
    throw new Error('PARLEY_SIGNAL_CONTROL_URL is unset: is global-setup.ts running?');
  const response = await fetch(`${controlUrl}${route}`, { method });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`signal control ${method} ${route}: ${JSON.stringify(body)}`);
  return body as T;
}

// ---- The UI contract ------------------------------------------------------------------------

/** The composer's text box. */
export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

/** The message history of the open conversation. */
export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });

/** The members of the open room. */
export const memberList = (page: Page): Locator => page.getByRole('list', { name: 'Members' });

/** The list of conversations. */
export const conversations = (page: Page): Locator =>
  page.getByRole('navigation', { name: 'Conversations' });

/** The connection status ("Connecting…", "Online", "Reconnecting…", "Offline — …"). */
export const connectionStatus = (page: Page): Locator =>
  page.getByRole('status').filter({ hasText: /Connecting…|Online|Reconnecting…|Offline/ });

/** The one message by `author` whose text includes `text`. */
export const messageFrom = (page: Page, author: string, text: string): Locator =>
  messageLog(page).getByRole('article').filter({ hasText: author }).filter({ hasText: text });

/** First run: opens the app (at `url`: another server's, for instance) and sets the display name. */
export async function onboard(page: Page, displayName: string, url = '/'): Promise<void> {
  await page.goto(url);
  await completeOnboarding(page, displayName);
}

async function completeOnboarding(page: Page, displayName: string): Promise<void> {
  const nameBox = page.getByRole('textbox', { name: 'Display name' });
  await nameBox.fill(displayName);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(nameBox).toBeHidden();
}

/** Creates a room and returns its link (the page URL, `…/#/r/<secret>`). */
export async function createRoom(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'New room' }).click();
  await expect(page).toHaveURL(/#\/r\//);
  await expect(composer(page)).toBeVisible();
  return page.url();
}

/**
 * Opens a room link. For someone who has never used the app, pass `displayName`: the link comes
 * first, then the app asks for the name, then it shows the room.
 */
export async function joinRoom(page: Page, link: string, displayName?: string): Promise<void> {
  await page.goto(link);
  if (displayName !== undefined) await completeOnboarding(page, displayName);
  await expect(page).toHaveURL(link);
  await expect(composer(page)).toBeVisible();
}

/** Types a message and presses Enter; waits until the composer is cleared (the app took it). */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

/** Waits until the message log shows `text` by `author`, exactly once. */
export async function expectMessage(page: Page, author: string, text: string): Promise<void> {
  await expect(messageFrom(page, author, text)).toBeVisible();
}

/**
 * The text of each of the log's messages, in order, a line per text node: `innerText` is empty
 * for the rows of a chunk the browser skips while it is off screen (`content-visibility`).
 */
export async function articleTexts(page: Page): Promise<string[]> {
  return messageLog(page).evaluate((log) =>
    [...log.querySelectorAll('article')].map((article) => {
      const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
      const parts: string[] = [];
      while (walker.nextNode()) parts.push(walker.currentNode.nodeValue ?? '');
      return parts.join('\n');
    }),
  );
}

/**
 * Waits until the log shows exactly these messages, each once and in this order (articles that
 * contain none of these texts, such as notices, are ignored). Texts must not contain each other.
 */
export async function expectMessagesInOrder(
  page: Page,
  messages: readonly { author: string; text: string }[],
): Promise<void> {
  await expect(async () => {
    const shown = (await articleTexts(page)).flatMap((article) => {
      const match = messages.find((message) => article.includes(message.text));
      return match && article.includes(match.author) ? [`${match.author}: ${match.text}`] : [];
    });
    expect(shown).toEqual(messages.map(({ author, text }) => `${author}: ${text}`));
  }).toPass();
}

/**
 * Waits until the Members list shows `displayName` with the given presence. On a narrow screen,
 * where the list is not beside the chat, it opens the room header's Members dialog to look, and
 * closes it again.
 */
export async function expectMember(
  page: Page,
  displayName: string,
  presence: 'online' | 'offline',
): Promise<void> {
  const membersButton = page.getByRole('button', { name: /^Members\b/ });
  const isNarrow = await membersButton.isVisible();
  if (isNarrow) await membersButton.click();
  const item = memberList(page).getByRole('listitem').filter({ hasText: displayName });
  await expect(item).toContainText(new RegExp(`\\b${presence}\\b`, 'i'));
  if (isNarrow) {
    const dialog = page.getByRole('dialog', { name: 'Members' });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  }
}

/**
 * Alice names herself and creates a room; Bob opens its link and names himself; returns once
 * each shows the other online. The room link.
 */
export async function meetInRoom(alice: Page, bob: Page): Promise<string> {
  await onboard(alice, 'Alice');
  const link = await createRoom(alice);
  await joinRoom(bob, link, 'Bob');
  await expectMember(alice, 'Bob', 'online');
  await expectMember(bob, 'Alice', 'online');
  return link;
}

// ---- Room links -----------------------------------------------------------------------------

/**
 * The room secret in a room link: the base64url characters after `#/r/` (22, or 43 for a room
 * whose secret names its owner).
 */
export function roomSecret(link: string): string {
  const secret = /#\/r\/([A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/.exec(link)?.[1];
  if (!secret) throw new Error(`not a room link: ${link}`);
  return secret;
}

/** The opaque room key the signal server sees: base64url(SHA-256("parley-room-v1" ‖ secret)). */
export function roomKey(link: string): string {
  const secretBytes = Buffer.from(roomSecret(link), 'base64url');
  return createHash('sha256')
    .update(Buffer.from('parley-room-v1', 'utf8'))
    .update(secretBytes)
    .digest('base64url');
}

// ---- Long histories -------------------------------------------------------------------------

/**
 * Sends many messages quickly, the way a person would but without the per-message round trips of
 * `sendMessage`: in the page, each text goes into the composer (an `input` event), Enter is
 * pressed (a `keydown`), and the next one waits until the composer is cleared (the app took it).
 */
export async function sendMessagesQuickly(page: Page, texts: readonly string[]): Promise<void> {
  await composer(page).evaluate(
    async (box, { texts, perMessageTimeoutMs }) => {
      const field = box as HTMLTextAreaElement;
      for (const text of texts) {
        field.value = text;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        field.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
        );
        const deadline = performance.now() + perMessageTimeoutMs;
        while (field.value !== '') {
          if (performance.now() > deadline) {
            throw new Error(`the composer did not take "${text}" within ${perMessageTimeoutMs} ms`);
          }
          await new Promise((resolve) => setTimeout(resolve));
        }
      }
    },
    { texts, perMessageTimeoutMs: 10_000 },
  );
}

/** The most messages the log holds at once (MESSAGE_WINDOW_MAX in web/src/lib/config.ts). */
export const MESSAGE_WINDOW_MAX = 300;

/**
 * Reads the open room's whole history as a person would: scrolls the log up until `first` is its
 * first message (older pages come in on the way, the newest leave), then down to the newest
 * (they come in again), collecting the texts matching `pattern` in display order. Also returns
 * the most messages the log held at any point. Call once the newest messages are shown.
 */
export async function readWholeHistory(
  page: Page,
  pattern: RegExp,
  first: string,
): Promise<{ texts: string[]; mostShown: number }> {
  return messageLog(page).evaluate(
    async (log, { source, flags, first, timeoutMs }) => {
      const scroller = log.closest<HTMLElement>('.scroller');
      if (!scroller) throw new Error('the log has no scroller');
      const re = new RegExp(source, flags);
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      let mostShown = 0;
      /** An element's text, a line per text node (innerText is empty in a skipped chunk). */
      const textOf = (element: HTMLElement): string => {
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        const parts: string[] = [];
        while (walker.nextNode()) parts.push(walker.currentNode.nodeValue ?? '');
        return parts.join('\n');
      };
      const shown = (): string[] => {
        const articles = [...log.querySelectorAll<HTMLElement>('article')];
        mostShown = Math.max(mostShown, articles.length);
        return articles.flatMap((article) => re.exec(textOf(article))?.[0] ?? []);
      };
      const deadline = performance.now() + timeoutMs;
      const check = (what: string) => {
        if (performance.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
      };
      /**
       * Scrolls to `scrollTop`, then lets pages come in: what the reader looks at must not move
       * (the bottom of the first message in view keeps its place, give or take a pixel).
       */
      const scrollTo = async (scrollTop: number) => {
        scroller.scrollTop = scrollTop;
        const view = scroller.getBoundingClientRect();
        const inView = [...log.querySelectorAll<HTMLElement>('article')].find(
          (a) => a.getBoundingClientRect().bottom > view.top,
        );
        const before = inView?.getBoundingClientRect().bottom;
        const state = () =>
          `scrollTop ${scroller.scrollTop} of ${scroller.scrollHeight}, "${shown()[0]}" to "${shown().at(-1)}"`;
        const was = state();
        await frame();
        await frame();
        const after = inView?.isConnected ? inView.getBoundingClientRect().bottom : before;
        if (before !== undefined && after !== undefined && Math.abs(after - before) > 2) {
          throw new Error(
            `the view jumped ${after - before} px at "${inView?.innerText}" (${was}; then ${state()})`,
          );
        }
      };
      while (shown()[0] !== first) {
        check(`"${first}" did not come to the top (it shows "${shown()[0]}")`);
        await scrollTo(-scroller.scrollHeight);
      }
      let texts = shown();
      const jumpBar = () =>
        [...scroller.querySelectorAll('button')].some((b) => b.textContent?.includes('Jump'));
      while (scroller.scrollTop < -1 || jumpBar()) {
        check(`the newest did not come (at "${texts.at(-1)}")`);
        await scrollTo(Math.min(0, scroller.scrollTop + scroller.clientHeight / 2));
        const now = shown();
        const at = texts.indexOf(now[0] ?? '');
        if (at < 0) throw new Error(`the log skipped from "${texts.at(-1)}" to "${now[0]}"`);
        texts = texts.slice(0, at).concat(now);
      }
      return { texts, mostShown };
    },
    { source: pattern.source, flags: pattern.flags, first, timeoutMs: 60_000 },
  );
}

/** One stored event of a conversation as IndexedDB holds it. */
export interface StoredMessage {
  author: string;
  seq: number;
  hlc: string;
  kind: string;
  text: string | undefined;
}

/**
 * Every event of the room behind `link` in the page's IndexedDB ('parley', store 'events'), in
 * display order (hlc, author, seq) — what the log would show if it showed everything.
 */
export async function storedMessages(page: Page, link: string): Promise<StoredMessage[]> {
  return page.evaluate(async (conv) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('parley');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
    });
    try {
      const index = db.transaction('events', 'readonly').objectStore('events').index('byConvOrder');
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        const request = index.getAll(IDBKeyRange.bound([conv], [conv, []]));
        request.onsuccess = () => resolve(request.result as unknown[]);
        request.onerror = () => reject(request.error ?? new Error('getAll failed'));
      });
      return rows.map((row) => {
        const event = row as {
          author: string;
          seq: number;
          hlc: string;
          kind: string;
          body?: { text?: unknown };
        };
        const text = event.body?.text;
        return {
          author: event.author,
          seq: event.seq,
          hlc: event.hlc,
          kind: event.kind,
          text: typeof text === 'string' ? text : undefined,
        };
      });
    } finally {
      db.close();
    }
  }, roomKey(link));
}

/**
 * The texts of the log's messages in the order shown, each reduced to the part that matches
 * `pattern` (articles without a match, such as notices, are left out).
 */
export async function shownTexts(page: Page, pattern: RegExp): Promise<string[]> {
  const articles = await articleTexts(page);
  return articles.flatMap((article) => {
    const match = pattern.exec(article);
    return match ? [match[0]] : [];
  });
}

/**
 * What a phone's camera would read from a QR code on screen: the SVG drawn into a canvas in the
 * page, decoded here by jsQR (an independent decoder). Null when it cannot be read.
 */
export async function scanQrCode(code: Locator): Promise<string | null> {
  const pixels = await code.evaluate(async (svg) => {
    const size = 400;
    const markup = new XMLSerializer().serializeToString(svg);
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = size;
    canvas.height = size;
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, size, size);
    context.drawImage(image, 0, 0, size, size);
    return { data: Array.from(context.getImageData(0, 0, size, size).data), size };
  });
  if (!pixels) return null;
  // A CommonJS package whose `exports.default` is the function (NodeNext sees the namespace).
  const jsQR = (await import('jsqr')).default as unknown as (
    data: Uint8ClampedArray,
    width: number,
    height: number,
  ) => { data: string } | null;
  return jsQR(Uint8ClampedArray.from(pixels.data), pixels.size, pixels.size)?.data ?? null;
}

// ---- PWA ------------------------------------------------------------------------------------

/**
 * Waits until the service worker controls the page: the app shell is cached (it precaches on
 * install) and the page would get an update prompt rather than a silent swap.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}
