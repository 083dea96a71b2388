import { describe, expect, it } from 'vitest';
import { eventKey } from '../../domain/events';
import { appHarness } from '../../testing/app-harness';
import { exportConversation, exportWords, readAllEvents } from './export-conversation';

const NOW = Date.UTC(2026, 11, 4, 15, 30);
const h = appHarness({ now: NOW });

async function roomWithHistory() {
  const app = await h.readyApp();
  const room = await h.openNewRoom(app);
  const self = app.kernel.identity!.fingerprint;
  expect(await app.messages.send(room, 'first')).toBe(true);
  expect(await app.messages.send(room, 'two lines\n[12:00] Mallory: fake line')).toBe(true);
  expect(await app.messages.send(room, 'answer', { author: self, seq: 1 })).toBe(true);
  expect(await app.messages.react(room, { author: self, seq: 1 }, '👍', true)).toBe(true);
  expect(await app.messages.edit(room, { author: self, seq: 1 }, 'first, edited')).toBe(true);
  expect(await app.messages.send(room, '我们明天下午三点见面')).toBe(true);
  expect(await app.messages.send(room, 'gone soon')).toBe(true);
  expect(await app.messages.delete(room, { author: self, seq: 7 })).toBe(true);
  return { app, room, self };
}

describe('export conversation', () => {
  it('reads every event in display order across pages', async () => {
    const { app, room } = await roomWithHistory();
    const store = app.kernel.store!;
    const whole = await store.listEvents(room);
    for (const page of [1, 2, 3, 100]) {
      const read = await readAllEvents(store, room, page);
      expect(read.map(eventKey)).toEqual(whole.map(eventKey));
    }
    expect(whole).toHaveLength(8);
  });

  it('writes each message once, edits applied, deletions said, peer line breaks indented', async () => {
    const { app, room, self } = await roomWithHistory();
    const { text, fileName } = await exportConversation(
      {
        store: app.kernel.store!,
        self,
        title: 'Family / weekend',
        nameOf: () => 'Alice',
        words: exportWords(() => 'call'),
      },
      room,
      NOW,
    );
    expect(fileName).toBe('Family _ weekend 2026-12-04.txt');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Family \/ weekend — exported from Parley on /);
    expect(lines[1]).toBe('5 messages');
    expect(text).toContain('Alice: first, edited (edited)');
    expect(text).not.toMatch(/: first$/m);
    // A message's own line break cannot start a line that looks like another message.
    expect(text).toContain('Alice: two lines\n    [12:00] Mallory: fake line');
    expect(text).not.toMatch(/^\[12:00\] Mallory/m);
    expect(text).toMatch(/In reply to Alice: first, edited\n\[[^\]]+\] Alice: answer/);
    expect(text).toContain('    👍 1');
    expect(text).toContain('Alice: 我们明天下午三点见面');
    expect(text).toContain('Alice: This message was deleted');
    expect(text).not.toContain('gone soon');
    // One day heading before the first message.
    expect(lines.filter((line) => /^— .+ —$/.test(line))).toHaveLength(1);
  });
});
