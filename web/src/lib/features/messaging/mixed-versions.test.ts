import { describe, expect, it, vi } from 'vitest';
import { canonicalEventBytes, isKnownEvent, textOf } from '../../domain/events';
import { signBytes } from '../../crypto/identity';
import { roomKeyFromSecret } from '../../crypto/room-keys';
import { MemoryHub } from '../../net/memory-transport';
import type { FutureEvent, StoredEvent } from '../../protocol/events';
import type { Parley } from '../../parley';
import { appHarness } from '../../testing/app-harness';
import type { RoomKey } from '../../protocol/ids';

const h = appHarness();

/**
 * What a newer build of Alice's app writes: an event of a kind this build does not know, signed
 * with her key and stored in her database (her newer app then sends it like any own event).
 */
async function writeFutureEvent(alice: Parley, room: RoomKey): Promise<FutureEvent> {
  const identity = alice.kernel.identity!;
  const store = alice.kernel.store!;
  const own = (await store.listEvents(room)).filter((e) => e.author === identity.fingerprint);
  const last = own.at(-1)!;
  const unsigned = {
    v: 1 as const,
    conv: room,
    author: identity.fingerprint,
    seq: last.seq + 1,
    // Just after her last one (same wall time, next counter): it sorts after it.
    hlc: `${last.hlc.slice(0, 15)}-${String(Number(last.hlc.slice(16)) + 1).padStart(5, '0')}`,
    kind: 'poll',
    body: { question: 'Lunch at noon?', options: ['yes', 'no'], nested: { deep: [1, 2, 3] } },
  };
  const event: FutureEvent = {
    ...unsigned,
    sig: await signBytes(identity.privateKey, canonicalEventBytes(unsigned)),
  };
  const stored = await store.addEvents([event], Date.now());
  expect(stored.ok && stored.value).toHaveLength(1);
  return event;
}

const texts = (events: StoredEvent[]) => events.filter(isKnownEvent).map((e) => textOf(e));

describe('a newer and an older build in one room', () => {
  it('keeps, shows and passes on what the newer one writes, and loses nothing either way', async () => {
    const hub = new MemoryHub();
    const alice = await h.memberOn(hub, 'Alice');
    const bob = await h.memberOn(hub, 'Bob');
    const carol = await h.memberOn(hub, 'Carol');
    // Carol can only reach Bob: what Alice writes reaches her through him.
    hub.cut('peer-Alice', 'peer-Carol');
    const secret = (await alice.conversations.createRoom())!;
    const room = await roomKeyFromSecret(secret);
    for (const app of [alice, bob, carol]) await app.timeline.openRoom(secret);
    expect(await alice.messages.send(room, 'one')).toBe(true);
    await vi.waitFor(() => expect(texts(carol.timeline.messagesOf(room))).toEqual(['one']), {
      timeout: 5_000,
    });

    const future = await writeFutureEvent(alice, room);
    expect(await alice.messages.send(room, 'three')).toBe(true);
    for (const app of [bob, carol]) {
      await vi.waitFor(
        () => {
          const shown = app.timeline.messagesOf(room);
          expect(shown.map((e) => e.kind)).toEqual(['text', 'poll', 'text']);
          expect(texts(shown)).toEqual(['one', 'three']);
        },
        { timeout: 5_000 },
      );
      // Stored whole, as signed: it can be passed on and checked by anyone.
      const stored = (await app.kernel.store!.listEvents(room)).find((e) => e.kind === 'poll');
      expect(stored).toEqual(future);
      // Neither unread nor a preview: this build cannot say what it is.
      expect(app.conversations.conversation(room)).toMatchObject({ lastPreview: 'three' });
    }

    expect(await carol.messages.send(room, 'from Carol')).toBe(true);
    await vi.waitFor(
      () => expect(texts(alice.timeline.messagesOf(room))).toEqual(['one', 'three', 'from Carol']),
      { timeout: 5_000 },
    );
  }, 20_000);
});
