import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { makeEvent } from '../testing/factories';
import { chatEventSchema, isBoundedJson } from './event-schema';
import { MAX_FUTURE_BODY_BYTES, MAX_FUTURE_BODY_DEPTH } from './limits';

/** A wire event of `kind` with `body`, its envelope valid. */
function wire(kind: string, body: unknown): Record<string, unknown> {
  return { ...makeEvent(), kind, body };
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
}

describe('events of kinds a newer build wrote', () => {
  it('accepts an unknown kind and keeps its body whole', () => {
    const body = { question: 'Lunch?', options: ['yes', 'no'], at: { h: 12, m: 0 }, ok: null };
    const parsed = v.safeParse(chatEventSchema, wire('poll', body));
    expect(parsed.success).toBe(true);
    expect(parsed.output).toMatchObject({ kind: 'poll', body });
  });

  it('refuses a known kind whose body is malformed, instead of keeping it as unknown', () => {
    expect(v.safeParse(chatEventSchema, wire('text', { text: 42 })).success).toBe(false);
    expect(v.safeParse(chatEventSchema, wire('reaction', { emoji: '👍' })).success).toBe(false);
  });

  it('refuses kinds that are not lowercase words and dashes, or too long', () => {
    for (const kind of ['Poll', 'poll!', '', '-x', 'a'.repeat(33), 'ünicode']) {
      expect(v.safeParse(chatEventSchema, wire(kind, {})).success, kind).toBe(false);
    }
  });

  it('bounds the body by depth and size', () => {
    expect(isBoundedJson(nested(MAX_FUTURE_BODY_DEPTH - 1))).toBe(true);
    expect(isBoundedJson(nested(MAX_FUTURE_BODY_DEPTH + 1))).toBe(false);
    // Hostile depth is refused without recursion (no stack overflow).
    expect(isBoundedJson(nested(100_000))).toBe(false);
    expect(isBoundedJson({ text: 'x'.repeat(MAX_FUTURE_BODY_BYTES / 4) })).toBe(true);
    expect(isBoundedJson({ text: 'x'.repeat(MAX_FUTURE_BODY_BYTES) })).toBe(false);
    expect(isBoundedJson(Array.from({ length: MAX_FUTURE_BODY_BYTES }, () => 0))).toBe(false);
    expect(v.safeParse(chatEventSchema, wire('poll', nested(40))).success).toBe(false);
  });

  it('still checks the envelope of an unknown kind strictly', () => {
    expect(v.safeParse(chatEventSchema, { ...wire('poll', {}), seq: 0 }).success).toBe(false);
    expect(v.safeParse(chatEventSchema, { ...wire('poll', {}), sig: 'nope' }).success).toBe(false);
    expect(v.safeParse(chatEventSchema, { ...wire('poll', {}), conv: 'x' }).success).toBe(false);
  });
});
