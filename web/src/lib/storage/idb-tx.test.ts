import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openParleyDb, type Db } from './idb-schema';
import { inTx, requestAll, requestAllAndCommit } from './idb-tx';

let db: Db;

beforeEach(async () => {
  db = await openParleyDb(`parley-tx-test-${crypto.randomUUID()}`);
});

afterEach(() => {
  db.close();
  vi.restoreAllMocks();
});

const setting = (key: string, value: number) => ({ key, value: { n: value } });

describe('requestAllAndCommit', () => {
  it('commits as soon as the last requests are made, before their answers, and keeps them', async () => {
    const order: string[] = [];
    await inTx(db, ['settings'], 'readwrite', async (tx) => {
      const store = tx.objectStore('settings');
      await store.put(setting('a', 1));
      const commit = vi.spyOn(tx, 'commit').mockImplementation(function (this: IDBTransaction) {
        order.push('commit');
        IDBTransaction.prototype.commit.call(this);
      });
      await requestAllAndCommit(tx, [
        () => store.put(setting('b', 2)).then(() => void order.push('b written')),
        () => store.put(setting('c', 3)).then(() => void order.push('c written')),
      ]);
      expect(commit).toHaveBeenCalledTimes(1);
    });
    expect(order).toEqual(['commit', 'b written', 'c written']);
    const keys = await db.getAllKeys('settings');
    expect(keys).toEqual(expect.arrayContaining(['a', 'b', 'c']));
  });

  it('commits nothing when making a request throws: what came before in the transaction is undone', async () => {
    const failed = inTx(db, ['settings'], 'readwrite', async (tx) => {
      const store = tx.objectStore('settings');
      await store.put(setting('a', 1));
      await requestAllAndCommit(tx, [
        () => store.put(setting('b', 2)),
        () => {
          throw new Error('could not make the request');
        },
      ]);
    });
    await expect(failed).rejects.toThrow('could not make the request');
    expect(await db.getAllKeys('settings')).toEqual([]);
  });

  it('with no requests, commits what the transaction wrote before', async () => {
    await inTx(db, ['settings'], 'readwrite', async (tx) => {
      await tx.objectStore('settings').put(setting('a', 1));
      await requestAllAndCommit(tx, []);
    });
    expect(await db.getAllKeys('settings')).toEqual(['a']);
  });
});

describe('requestAll', () => {
  it('answers in the order asked, and the transaction stays open for more', async () => {
    const values = await inTx(db, ['settings'], 'readwrite', async (tx) => {
      const store = tx.objectStore('settings');
      await requestAll([() => store.put(setting('a', 1)), () => store.put(setting('b', 2))]);
      const read = await requestAll([() => store.get('b'), () => store.get('a')]);
      return read.map((row) => row?.key);
    });
    expect(values).toEqual(['b', 'a']);
  });
});
