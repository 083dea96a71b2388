// Members of one room run different builds: an installed PWA updates only when its person
// reloads. A newer build may write an event of a kind this build does not know; this build must
// keep it, show that it cannot show it, pass it on, and lose nothing after it — both ways.
import type { Page } from '@playwright/test';
import {
  expect,
  meetInRoom,
  messageLog,
  roomKey,
  sendMessage,
  expectMessage,
  storedMessages,
  test,
} from './fixtures.js';

/**
 * What a newer build of Alice's app does when she posts a poll: an event of kind `poll` signed
 * with her identity key, stored in her IndexedDB with the conversation's vector moved on (as that
 * build's store would). Runs in her page, on her own database and key.
 */
async function newerBuildWritesAPoll(page: Page, conv: string): Promise<void> {
  await page.evaluate(async (conv) => {
    const request = <T>(r: IDBRequest<T>): Promise<T> =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
      });
    const db = await request(indexedDB.open('parley'));
    const canonical = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    try {
      const identity = (await request(
        db.transaction('identity').objectStore('identity').get('self'),
      )) as { fingerprint: string; privateKey: CryptoKey };
      const range = IDBKeyRange.bound(
        [conv, identity.fingerprint, 0],
        [conv, identity.fingerprint, Infinity],
      );
      const own = (await request(db.transaction('events').objectStore('events').getAll(range))) as {
        seq: number;
        hlc: string;
      }[];
      const last = own.at(-1);
      if (!last) throw new Error('Alice has no message in the room yet');
      const counter = String(Number(last.hlc.slice(16)) + 1).padStart(5, '0');
      const unsigned = {
        v: 1,
        conv,
        author: identity.fingerprint,
        seq: last.seq + 1,
        hlc: `${last.hlc.slice(0, 15)}-${counter}`,
        kind: 'poll',
        body: { question: 'Lunch at noon?', options: ['yes', 'no'] },
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
        await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, identity.privateKey, bytes),
      );
      const base64url = btoa(String.fromCharCode(...sig))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '');
      const tx = db.transaction(['events', 'conversations'], 'readwrite');
      tx.objectStore('events').put({ ...unsigned, sig: base64url });
      const conversation = (await request(tx.objectStore('conversations').get(conv))) as {
        vector: Record<string, number>;
      };
      conversation.vector[identity.fingerprint] = unsigned.seq;
      tx.objectStore('conversations').put(conversation);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('transaction failed'));
      });
    } finally {
      db.close();
    }
  }, conv);
}

test('an older and a newer build in one room keep, show and pass on everything, both ways', async ({
  openUser,
}) => {
  const alice = await openUser('alice');
  const bob = await openUser('bob');
  const link = await meetInRoom(alice.page, bob.page);
  await sendMessage(alice.page, 'Before the update');
  await expectMessage(bob.page, 'Alice', 'Before the update');

  await test.step('Alice’s newer build posts a poll; her app starts again', async () => {
    await newerBuildWritesAPoll(alice.page, roomKey(link));
    await alice.page.reload();
  });

  const unsupported = (page: Page) =>
    messageLog(page).getByText('Alice sent something this version cannot show');

  await test.step('Bob’s build keeps it and says it needs a newer version', async () => {
    await expect(unsupported(bob.page)).toBeVisible();
    await expect(unsupported(bob.page)).toContainText('needs a newer version of Parley');
    const stored = await storedMessages(bob.page, link);
    expect(stored.map((e) => e.kind)).toEqual(['text', 'poll']);
  });

  await test.step('what both write after it arrives on both sides', async () => {
    await sendMessage(alice.page, 'After the update');
    await expectMessage(bob.page, 'Alice', 'After the update');
    await sendMessage(bob.page, 'Still here');
    await expectMessage(alice.page, 'Bob', 'Still here');
  });

  await test.step('after a reload Bob still has all of it, in order', async () => {
    await bob.page.reload();
    await expectMessage(bob.page, 'Alice', 'After the update');
    await expect(unsupported(bob.page)).toBeVisible();
    const stored = await storedMessages(bob.page, link);
    expect(stored.map((e) => e.kind)).toEqual(['text', 'poll', 'text', 'text']);
  });
});
