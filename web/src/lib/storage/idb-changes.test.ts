import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { refOf } from '../domain/events';
import { makeEvent, makeEventWith } from '../testing/factories';
import { openIdbSearchIndex } from './idb-search';
import { MIGRATIONS, openParleyDb, type Db, type ParleyDb } from './idb-schema';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

describe('changes of a message, wherever they are (schema v4, readChanges)', () => {
  it('upgrades a v3 database, indexing the edits, reactions and deletions it holds', async () => {
    const name = `parley-changes-v3-${crypto.randomUUID()}`;
    const v3 = await openDB<ParleyDb>(name, 3, {
      upgrade(database, oldVersion, _newVersion, tx) {
        for (let version = oldVersion; version < 3; version++) MIGRATIONS[version]!(database, tx);
      },
    });
    const message = makeEvent({ seq: 1, text: 'first' });
    const other = makeEvent({ seq: 2, text: 'second' });
    const edit = makeEventWith(
      { kind: 'edit', body: { target: refOf(message), text: 'first, edited' } },
      { seq: 3 },
    );
    const reaction = makeEventWith(
      { kind: 'reaction', body: { target: refOf(message), emoji: '👍', on: true } },
      { seq: 4 },
    );
    const deletion = makeEventWith({ kind: 'delete', body: { target: refOf(other) } }, { seq: 5 });
    for (const e of [message, other, edit, reaction, deletion]) await v3.put('events', e);
    v3.close();

    const db: Db = await openParleyDb(name);
    opened.push(db);
    expect(db.version).toBe(MIGRATIONS.length);
    expect(db.transaction('events').store.index('byTarget').keyPath).toEqual([
      'conv',
      'body.target.author',
      'body.target.seq',
    ]);
    db.close();

    const index = await openIdbSearchIndex({ name });
    opened.push(index);
    const changes = await index.readChanges(message.conv, [message, other, edit]);
    expect(changes.map((e) => e.seq).sort()).toEqual([3, 4, 5]);
    // Only the messages asked for, and only in their conversation.
    expect((await index.readChanges(message.conv, [other])).map((e) => e.seq)).toEqual([5]);
    expect(await index.readChanges('another-room', [message])).toEqual([]);
  });
});
