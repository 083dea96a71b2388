/**
 * What stored events and store changes mean for the search index (DESIGN §10 "Search"): pure.
 * A text message is indexed; an edit or deletion counts only when its author wrote the target
 * (as domain/message-view.ts shows it); the store dropping events takes them out; a
 * conversation's record tells how far its events go (the index's mark, once those are in).
 */
import { isKnownEvent } from '../../domain/events';
import { sameVector, type VersionVector } from '../../domain/version-vector';
import type { StoredEvent } from '../../protocol/events';
import type { StoreChange } from '../../storage/chat-store';
import type { IndexOp } from '../../storage/search-store';
import { tokenize } from './tokenize';

/** The index changes of stored events, in their order. */
export function opsOfEvents(events: readonly StoredEvent[]): IndexOp[] {
  const ops: IndexOp[] = [];
  for (const e of events) {
    if (!isKnownEvent(e)) continue;
    const { conv, author } = e;
    if (e.kind === 'text') {
      const { text } = e.body;
      ops.push({
        op: 'message',
        conv,
        author,
        seq: e.seq,
        hlc: e.hlc,
        text,
        tokens: tokenize(text),
      });
    } else if (e.kind === 'edit' && e.body.target.author === author) {
      const { text } = e.body;
      const seq = e.body.target.seq;
      ops.push({ op: 'edit', conv, author, seq, editHlc: e.hlc, text, tokens: tokenize(text) });
    } else if (e.kind === 'delete' && e.body.target.author === author) {
      ops.push({ op: 'delete', conv, author, seq: e.body.target.seq });
    }
  }
  return ops;
}

/**
 * What a store change asks of the index: changes to apply, a conversation to remove, or a
 * conversation's version vector as stored (every event up to it is in the index once the
 * changes told before it are applied).
 */
export type IndexWork =
  { ops: IndexOp[] } | { purge: string } | { mark: string; vector: VersionVector };

/** True for the store changes the index follows (`workOfChange` may still find nothing in them). */
export function isIndexed(change: StoreChange): boolean {
  return (
    change.type === 'events' ||
    change.type === 'events-deleted' ||
    change.type === 'conversation-deleted' ||
    change.type === 'conversation'
  );
}

/** The index work of one store change; null when it changes nothing searchable. */
export function workOfChange(change: StoreChange): IndexWork | null {
  switch (change.type) {
    case 'events': {
      const ops = opsOfEvents(change.events);
      return ops.length > 0 ? { ops } : null;
    }
    case 'events-deleted':
      return {
        ops: [
          {
            op: 'forget',
            conv: change.conv,
            author: change.author,
            ...(change.seqs ? { seqs: change.seqs } : {}),
          },
        ],
      };
    case 'conversation-deleted':
      return { purge: change.conv };
    case 'conversation':
      return { mark: change.conversation.id, vector: change.conversation.vector };
    default:
      return null;
  }
}

/** True when `a` is there and holds the same seqs as `b`. */
export function isSameVector(a: VersionVector | undefined, b: VersionVector): boolean {
  return a !== undefined && sameVector(a, b);
}

/** `marks` without those of `convs`. */
export function withoutMarks(
  marks: Readonly<Record<string, VersionVector>>,
  convs: readonly string[],
): Record<string, VersionVector> {
  const kept = { ...marks };
  for (const conv of convs) delete kept[conv];
  return kept;
}
