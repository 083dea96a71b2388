import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChangeFeed } from './change-feed';

type Change = { type: 'a' | 'b'; n: number };
const a = (n: number): Change => ({ type: 'a', n });

let errors: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ChangeFeed', () => {
  it('tells every listener every change, in order', () => {
    const feed = new ChangeFeed<Change>();
    const heard: string[] = [];
    feed.subscribe((c) => heard.push(`first ${c.n}`));
    feed.subscribe((c) => heard.push(`second ${c.n}`));
    feed.emit([a(1), a(2)]);
    expect(heard).toEqual(['first 1', 'second 1', 'first 2', 'second 2']);
  });

  it('logs a listener that throws and still tells the others', () => {
    const feed = new ChangeFeed<Change>();
    const heard: number[] = [];
    feed.subscribe(() => {
      throw new Error('broken listener');
    });
    feed.subscribe((c) => heard.push(c.n));
    expect(() => feed.emit([a(1), a(2)])).not.toThrow();
    expect(heard).toEqual([1, 2]);
    expect(errors).toHaveBeenCalledTimes(2);
  });

  it('stops telling a listener once it unsubscribes, even in the middle of a batch', () => {
    const feed = new ChangeFeed<Change>();
    const heard: number[] = [];
    const unsubscribe = feed.subscribe((c) => {
      heard.push(c.n);
      unsubscribe();
    });
    feed.emit([a(1), a(2)]);
    feed.emit([a(3)]);
    expect(heard).toEqual([1]);
  });

  it('keeps one function subscribed twice until both are undone', () => {
    const feed = new ChangeFeed<Change>();
    const heard: number[] = [];
    const listener = (c: Change) => heard.push(c.n);
    const undoFirst = feed.subscribe(listener);
    const undoSecond = feed.subscribe(listener);
    feed.emit([a(1)]);
    undoFirst();
    feed.emit([a(2)]);
    undoSecond();
    feed.emit([a(3)]);
    expect(heard).toEqual([1, 1, 2]);
  });

  it('does not tell a listener subscribed while a batch is being told', () => {
    const feed = new ChangeFeed<Change>();
    const late: number[] = [];
    feed.subscribe(() => {
      feed.subscribe((c) => late.push(c.n));
    });
    feed.emit([a(1)]);
    expect(late).toEqual([]);
  });
});
