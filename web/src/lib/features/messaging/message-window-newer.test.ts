import { describe, expect, it } from 'vitest';
import { makeEvent, makeEventWith } from '../../testing/factories';
import { MessageWindow } from './message-window';

describe('a window opened at a message far back', () => {
  it('leaves new messages to the later pages but takes changes of shown ones', () => {
    const window = new MessageWindow(2, 4);
    const shown = [makeEvent({ seq: 1 }), makeEvent({ seq: 2 })];
    window.reset(shown, true, true);
    expect(window.hasNewer).toBe(true);
    const newer = makeEvent({ seq: 9, text: 'newer' });
    const edit = makeEventWith(
      { kind: 'edit', body: { target: { author: shown[0]!.author, seq: 1 }, text: 'edited' } },
      { seq: 10 },
    );
    expect(window.merge([newer, edit], false)).toBe(true);
    expect(window.events.map((e) => e.seq)).toEqual([1, 2, 10]);
  });
});
