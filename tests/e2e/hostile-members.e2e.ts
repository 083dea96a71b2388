// A member with a modified client floods the room: 2,000 signed events of 8,000 characters
// (~16 MB). The other member must store no more than the author's budget, finish syncing (no
// endless resend), show what that member wrote, and let the person delete it for good.
import type { Page } from '@playwright/test';
import {
  expect,
  expectMessage,
  meetInRoom,
  messageLog,
  roomKey,
  sendMessage,
  storedMessages,
  test,
} from './fixtures.js';

/** Events the flood writes. */
const FLOOD_EVENTS = 2_000;
/** Characters of each (MAX_TEXT_CHARS). */
const FLOOD_CHARS = 8_000;
/** The rate budget of one author per minute of their clock (AUTHOR_RATE_BUDGET_BYTES). */
const RATE_BUDGET_BYTES = 4 * 1024 * 1024;

/**
 * What a modified client does: signs FLOOD_EVENTS text events with the page's own identity key,
 * all stamped within one millisecond, and stores them with the conversation's vector moved on, so the app sends
 * them to everyone once it starts again. Runs in the flooder's page, on her own database.
 */
async function floodOwnHistory(page: Page, conv: string): Promise<void> {
  await page.evaluate(
    async ({ conv, count, chars }) => {
      const request = <T>(r: IDBRequest<T>): Promise<T> =>
        new Promise((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
        });
      const canonical = (value: unknown): string => {
        if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
        if (value !== null && typeof value === 'object') {
          const record = value as Record<string, unknown>;
          const keys = Object.keys(record).sort();
          return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
        }
        return JSON.stringify(value);
      };
      const base64url = (bytes: Uint8Array): string =>
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const db = await request(indexedDB.open('parley'));
      try {
        const identity = (await request(
          db.transaction('identity').objectStore('identity').get('self'),
        )) as { fingerprint: string; privateKey: CryptoKey };
        const conversation = (await request(
          db.transaction('conversations').objectStore('conversations').get(conv),
        )) as { vector: Record<string, number> };
        const first = (conversation.vector[identity.fingerprint] ?? 0) + 1;
        // Two minutes back (a modified client can date its events as it likes, up to the drift
        // ahead), so what Alice writes after the test's flood falls in a later rate window.
        const ms = String(Date.now() - 120_000).padStart(15, '0');
        const events = await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const unsigned = {
              v: 1,
              conv,
              author: identity.fingerprint,
              seq: first + i,
              hlc: `${ms}-${String(i).padStart(5, '0')}`,
              kind: 'text',
              body: { text: `flood ${i} `.padEnd(chars, 'x') },
            };
            const bytes = new TextEncoder().encode(
              canonical([
                'parley-event-v1',
                unsigned.v,
                unsigned.conv,
                unsigned.author,
                unsigned.seq,
                unsigned.hlc,
                unsigned.kind,
                unsigned.body,
              ]),
            );
            const sig = new Uint8Array(
              await crypto.subtle.sign(
                { name: 'ECDSA', hash: 'SHA-256' },
                identity.privateKey,
                bytes,
              ),
            );
            return { ...unsigned, sig: base64url(sig) };
          }),
        );
        const tx = db.transaction(['events', 'conversations'], 'readwrite');
        for (const event of events) tx.objectStore('events').put(event);
        conversation.vector[identity.fingerprint] = first + count - 1;
        tx.objectStore('conversations').put(conversation);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
        });
      } finally {
        db.close();
      }
    },
    { conv, count: FLOOD_EVENTS, chars: FLOOD_CHARS },
  );
}

/** The flooder's seq as the page's conversation record holds it (its vector). */
async function vectorOf(page: Page, conv: string, authorName: string): Promise<number> {
  return page.evaluate(
    async ({ conv, authorName }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('parley');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
      });
      try {
        const conversation = await new Promise<{
          vector: Record<string, number>;
          members: Record<string, { name: string }>;
        }>((resolve, reject) => {
          const request = db.transaction('conversations').objectStore('conversations').get(conv);
          request.onsuccess = () => resolve(request.result as never);
          request.onerror = () => reject(request.error ?? new Error('get failed'));
        });
        const author = Object.values(conversation.members).find((m) => m.name === authorName);
        const fingerprint = Object.keys(conversation.members).find(
          (f) => conversation.members[f] === author,
        );
        return fingerprint ? (conversation.vector[fingerprint] ?? 0) : 0;
      } finally {
        db.close();
      }
    },
    { conv, authorName },
  );
}

test('a member’s flood is stored only up to their budget, and the person can see and delete what they wrote', async ({
  openUser,
}) => {
  test.setTimeout(240_000);
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const link = await meetInRoom(alice.page, bob.page);
  const conv = roomKey(link);
  await sendMessage(alice.page, 'Hello before the flood');
  await expectMessage(bob.page, 'Alice', 'Hello before the flood');

  await test.step('Alice’s modified client floods her history and starts again', async () => {
    await floodOwnHistory(alice.page, conv);
    await alice.page.reload();
  });

  await test.step('Bob syncs it all, but stores only Alice’s budget', async () => {
    // Every id is held (stored or refused), so sync is done and nothing is sent again.
    await expect
      .poll(() => vectorOf(bob.page, conv, 'Alice'), { timeout: 180_000 })
      .toBe(FLOOD_EVENTS + 1);
    const flood = (await storedMessages(bob.page, link)).filter((m) =>
      m.text?.startsWith('flood '),
    );
    expect(flood.length).toBeGreaterThan(0);
    // All stamped in one minute: at most the rate budget of it is kept (each event > 8,000 bytes).
    expect(flood.length).toBeLessThan(RATE_BUDGET_BYTES / FLOOD_CHARS);
  });

  const aliceRow = bob.page
    .getByRole('list', { name: 'Messages by member' })
    .getByRole('listitem')
    .filter({ hasText: 'Alice' });

  await test.step('Bob sees what Alice wrote and deletes it', async () => {
    await expect(aliceRow).toContainText(/Messages: \d{3} \(\d(\.\d)? MB\)/);
    await aliceRow.getByRole('button', { name: 'Delete their messages' }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Delete everything Alice wrote here?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(aliceRow).toContainText(/Messages: 0\b/);
    await expect(messageLog(bob.page).getByText('Hello before the flood')).toBeHidden();
    expect((await storedMessages(bob.page, link)).filter((m) => m.text)).toEqual([]);
  });

  await test.step('a new sync brings none of it back; what Alice writes next still arrives', async () => {
    await alice.page.reload();
    await sendMessage(alice.page, 'After the flood');
    await expectMessage(bob.page, 'Alice', 'After the flood');
    const texts = (await storedMessages(bob.page, link)).flatMap((m) => (m.text ? [m.text] : []));
    expect(texts).toEqual(['After the flood']);
    await expect(aliceRow).toContainText(/Messages: [12] /);
  });
});
