/**
 * The rarer writes of the IndexedDB adapter (DESIGN §10): saving and marking contacts, moving a
 * room, deleting a conversation. Loaded when first used, not with the first screen; each runs in
 * the transaction the store opens for it and tells the store what changed.
 */
import { asDirectChat, withMove } from '../domain/conversation-moves';
import { vectorSeq } from '../domain/version-vector';
import {
  storeErr,
  storeOk,
  type Contact,
  type Conversation,
  type RoomMove,
  type StoreChange,
  type StoreResult,
} from './chat-store';
import { highestUsedSeq, usedSeqKey, type EventsWriteTx } from './idb-events';
import type { ParleyDb } from './idb-schema';
import { convRange } from './idb-tx';
import type { IDBPTransaction } from 'idb';
import type { Fingerprint, RoomKey } from '../protocol/ids';

/** Tells the store's subscribers of a change once the transaction committed. */
type Notify = (change: StoreChange) => void;

/** Saves a contact and its direct chat (see ChatStore.addContact). */
export async function addContactRecords(
  tx: IDBPTransaction<ParleyDb, ('contacts' | 'conversations')[], 'readwrite'>,
  contact: Contact,
  direct: Conversation,
  notify: Notify,
): Promise<StoreResult<Contact>> {
  const contacts = tx.objectStore('contacts');
  const known = await contacts.get(contact.fingerprint);
  if (known) {
    return known.spki === contact.spki
      ? storeOk(known)
      : storeErr<Contact>('conflict', 'a contact with this fingerprint has another key');
  }
  const conversations = tx.objectStore('conversations');
  const chat = asDirectChat(await conversations.get(direct.id), direct);
  await Promise.all([contacts.put(contact), conversations.put(chat)]);
  // The chat first: whoever hears of the contact finds its conversation.
  notify({ type: 'conversation', conversation: chat });
  notify({ type: 'contact', contact });
  return storeOk(contact);
}

/** Sets a contact's verified / blocked marks (see ChatStore.updateContact). */
export async function updateContactRecord(
  tx: IDBPTransaction<ParleyDb, 'contacts'[], 'readwrite'>,
  fingerprint: Fingerprint,
  change: Pick<Contact, 'verified' | 'blocked'>,
  notify: Notify,
): Promise<StoreResult<Contact | undefined>> {
  const contacts = tx.objectStore('contacts');
  const known = await contacts.get(fingerprint);
  if (!known) return storeOk(undefined);
  const next = { ...known, ...change };
  if (next.verified !== known.verified || next.blocked !== known.blocked) {
    await contacts.put(next);
    notify({ type: 'contact', contact: next });
  }
  return storeOk(next);
}

/** Records a room's move and adds the room it moved to (see ChatStore.moveRoom). */
export async function moveRoomRecords(
  tx: IDBPTransaction<ParleyDb, 'conversations'[], 'readwrite'>,
  from: RoomKey,
  move: RoomMove,
  next: Conversation,
  notify: Notify,
): Promise<StoreResult<Conversation>> {
  const store = tx.objectStore('conversations');
  const conversation = await store.get(from);
  if (!conversation) return storeErr<Conversation>('not-found', `no conversation ${from}`);
  const moved = withMove(conversation, move);
  if (moved === conversation) return storeOk(conversation);
  await store.put(moved);
  notify({ type: 'conversation', conversation: moved });
  if (!(await store.get(next.id))) {
    await store.put(next);
    notify({ type: 'conversation', conversation: next });
  }
  return storeOk(moved);
}

/** Deletes conversation `id` and all its events; true when there was such a conversation. */
export async function deleteConversationRecords(
  tx: EventsWriteTx,
  id: RoomKey,
  self: Fingerprint | undefined,
): Promise<boolean> {
  const conversation = await tx.objectStore('conversations').get(id);
  // Remember our highest seq: the members keep those events, so if the room is joined again our
  // next message must not reuse a seq they hold (they would drop it).
  if (self) {
    const used = Math.max(
      await highestUsedSeq(tx, id, self),
      conversation ? vectorSeq(conversation.vector, self) : 0,
    );
    if (used > 0) {
      await tx.objectStore('settings').put({ key: usedSeqKey(id), value: { [self]: used } });
    }
  }
  await tx.objectStore('conversations').delete(id);
  await tx.objectStore('events').delete(convRange(id));
  return conversation !== undefined;
}
