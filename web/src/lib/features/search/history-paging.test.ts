import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { newRoomSecret, roomKeyFromSecret } from '../../crypto/room-keys';
import { openIdbStore } from '../../storage/idb-store';
import { MESSAGE_PAGE_SIZE, MESSAGE_WINDOW_MAX } from '../../config';
import { compareEvents, eventKey, refOf, textOf } from '../../domain/events';
import type { StoredEvent } from '../../protocol/events';
import {
  fakeFingerprint,
  makeConversation,
  makeEvent,
  makeEventWith,
} from '../../testing/factories';
import { appHarness } from '../../testing/app-harness';
import { withNewer, withOlder } from './history-window';
import { showLatest, showNewer, showOlder } from './open-at-message';

const T = 1_700_000_000_000;
const h = appHarness({ now: T });
const ALICE = fakeFingerprint(2);

const at = (seqs: number[]): StoredEvent[] => seqs.map((seq) => makeEvent({ seq }));
const seqsOf = (events: readonly StoredEvent[]) => events.map((e) => e.seq);

describe('the window far from the newest', () => {
  it('drops its newest past the maximum reading back, but keeps the changes of what it shows', () => {
    const shown = at([5, 6, 7, 8]);
    // Seq 9 edits message 5 (still shown), seq 10 reacts to 8 (which leaves).
    const edit = makeEventWith(
      { kind: 'edit', body: { target: refOf(shown[0]!), text: 'edited' } },
      { seq: 9 },
    );
    const reaction = makeEventWith(
      { kind: 'reaction', body: { target: refOf(shown[3]!), emoji: '👍', on: true } },
      { seq: 10 },
    );
    const older = withOlder([...shown, edit, reaction], at([3, 4]), [], 4);
    expect(seqsOf(older.events)).toEqual([3, 4, 5, 6, 9]);
    expect(older.isCut).toBe(true);
    // Nothing past the maximum: nothing cut, and a change read with the page joins once.
    const whole = withOlder(shown, at([4]), [edit, edit], 6);
    expect(seqsOf(whole.events)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(whole.isCut).toBe(false);
  });

  it('drops its oldest past the maximum reading forward', () => {
    const newer = withNewer(at([1, 2, 3]), at([3, 4, 5]), [], 4);
    expect(seqsOf(newer.events)).toEqual([2, 3, 4, 5]);
    expect(newer.isCut).toBe(true);
    expect(withNewer(at([1]), at([2]), [], 4).isCut).toBe(false);
  });
});

describe('scrolling through a long history', () => {
  it('pages back to the first message and forward to the newest, never holding more than the window, with later edits shown', async () => {
    const app = await h.readyApp();
    const room = await h.openNewRoom(app);
    const texts = Array.from({ length: 3 * MESSAGE_PAGE_SIZE + 70 }, (_, i) => `m${i}`);
    for (let i = 0; i < texts.length; i += 50) {
      await Promise.all(texts.slice(i, i + 50).map((text) => app.messages.send(room, text)));
    }
    // The first message is edited last: the edit is the newest event, far from its message.
    const first = app.timeline.messagesOf(room).length;
    expect(first).toBeLessThanOrEqual(2 * MESSAGE_PAGE_SIZE);
    const stored = await app.kernel.store!.listEvents(room, {});
    expect(await app.messages.edit(room, refOf(stored[0]!), 'm0 edited')).toBe(true);

    app.timeline.followLatest(room, false);
    const seen = new Map<string, StoredEvent>();
    const note = () => {
      const shown = app.timeline.messagesOf(room);
      expect(shown.length).toBeLessThanOrEqual(MESSAGE_WINDOW_MAX + 1);
      for (const e of shown) seen.set(eventKey(e), e);
    };
    while (app.timeline.hasOlderMessages(room)) {
      expect(await showOlder(app, room)).toBe(true);
      note();
    }
    const top = app.timeline.messagesOf(room);
    expect(textOf(top[0]!)).toBe('m0');
    expect(app.timeline.hasNewerMessages(room)).toBe(true);
    // The edit of m0 is in the window with it, so the view shows m0 as edited.
    expect(top.some((e) => e.kind === 'edit')).toBe(true);

    while (app.timeline.hasNewerMessages(room)) {
      expect(await showNewer(app, room)).toBe(true);
      note();
    }
    const read = [...seen.values()].sort(compareEvents).filter((e) => e.kind === 'text');
    expect(read.map((e) => textOf(e))).toEqual(texts);
    expect(textOf(app.timeline.messagesOf(room).at(-2)!)).toBe(texts.at(-1));

    // Back at the newest, what arrives joins the window.
    await app.messages.send(room, 'one more');
    expect(textOf(app.timeline.messagesOf(room).at(-1)!)).toBe('one more');
  });

  it('jumps from far back to the newest', async () => {
    const app = await h.readyApp();
    const room = await h.openNewRoom(app);
    const texts = Array.from({ length: 4 * MESSAGE_PAGE_SIZE }, (_, i) => `n${i}`);
    for (let i = 0; i < texts.length; i += 50) {
      await Promise.all(texts.slice(i, i + 50).map((text) => app.messages.send(room, text)));
    }
    app.timeline.followLatest(room, false);
    while (app.timeline.hasOlderMessages(room)) await showOlder(app, room);
    expect(app.timeline.hasNewerMessages(room)).toBe(true);
    expect(await showLatest(app, room)).toBe(true);
    expect(app.timeline.hasNewerMessages(room)).toBe(false);
    expect(textOf(app.timeline.messagesOf(room).at(-1)!)).toBe(texts.at(-1));
    await app.messages.send(room, 'after the jump');
    expect(textOf(app.timeline.messagesOf(room).at(-1)!)).toBe('after the jump');
  });
});

describe('paging while a history floods in', () => {
  it('keeps what waits for a flood’s show when the reader pages back meanwhile', async () => {
    const secret = newRoomSecret();
    const room = await roomKeyFromSecret(secret);
    const history = Array.from({ length: MESSAGE_PAGE_SIZE + 20 }, (_, i) =>
      makeEvent({ conv: room, author: ALICE, seq: i + 1, hlc: T - 60_000 + i, text: `old ${i}` }),
    );
    const seed = await openIdbStore({ name: h.dbName });
    await seed.putConversation(makeConversation({ id: room, secret }));
    await seed.addEvents(history, T);
    seed.close();
    const app = await h.readyApp();
    expect(await app.timeline.openRoom(secret)).toEqual({ status: 'open', room });
    expect(app.timeline.hasOlderMessages(room)).toBe(true);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const fresh = makeEvent({
      conv: room,
      author: ALICE,
      seq: history.length + 1,
      hlc: T,
      text: 'new',
    });
    expect((await app.kernel.store!.addEvents([fresh], T, true)).ok).toBe(true);
    expect(app.timeline.messagesOf(room).map((e) => textOf(e))).not.toContain('new');
    // The page is built from what is shown, without 'new': it must not drop it.
    expect(await showOlder(app, room)).toBe(true);
    const texts = app.timeline.messagesOf(room).map((e) => textOf(e));
    expect(texts[0]).toBe('old 0');
    expect(texts.at(-1)).toBe('new');
    expect(texts).toHaveLength(history.length + 1);
  });
});
