/**
 * The message log's rows in chunks (DESIGN §6 "View window"): MessageList.svelte renders each
 * chunk as a box the browser skips while it is off screen (`content-visibility: auto`), so a new
 * message costs a frame of the rows near the view, not of every loaded row. A row stays in its
 * chunk from one update to the next (a chunk whose rows did not change is the same object, so it
 * is not drawn again): new rows at the end fill the last chunk up to `size`, then start new ones;
 * a late row between two rows of a chunk joins it; other rows that come in elsewhere (an older
 * page, a late message between chunks) join the chunk before them while it has room, else form
 * chunks of their own.
 */

/** Rows per chunk: a few screens, so the view crosses a chunk's edge once every few dozen rows. */
export const ROWS_PER_CHUNK = 40;

/** A run of consecutive rows, keyed for a keyed each block. */
export interface RowChunk<R> {
  key: string;
  rows: readonly R[];
}

/** Groups rows into chunks that keep their rows between updates. */
export class RowChunker<R extends { readonly key: string }> {
  readonly #size: number;
  #chunks: RowChunk<R>[] = [];
  /** Row key → the key of its chunk, as of the last update. */
  #chunkOf = new Map<string, string>();
  #nextKey = 0;

  /** `size`: how many rows a chunk is filled to (at least 1). */
  constructor(size: number) {
    this.#size = Math.max(1, Math.floor(size));
  }

  /** The chunks of `rows` (in order, each row once). */
  update(rows: readonly R[]): RowChunk<R>[] {
    // Runs of consecutive rows that were in the same chunk; null: rows new to the log.
    const runs: { key: string | null; rows: R[] }[] = [];
    for (const row of rows) {
      const key = this.#chunkOf.get(row.key) ?? null;
      const last = runs.at(-1);
      if (last && last.key === key) last.rows.push(row);
      else runs.push({ key, rows: [row] });
    }
    // New rows inside a chunk (a late message between two of its rows) stay in that chunk.
    for (let i = runs.length - 2; i >= 1; i--) {
      const [before, run, after] = [runs[i - 1], runs[i], runs[i + 1]];
      if (before && run && after && run.key === null && before.key !== null) {
        if (before.key !== after.key) continue;
        before.rows.push(...run.rows, ...after.rows);
        runs.splice(i, 2);
      }
    }
    const groups: { key: string; rows: R[] }[] = [];
    const used = new Set<string>();
    for (const run of runs) {
      const before = groups.at(-1);
      if (run.key !== null && !used.has(run.key)) {
        used.add(run.key);
        groups.push({ key: run.key, rows: run.rows });
        continue;
      }
      // New rows (or a chunk's rows seen again after another chunk: the log was re-sorted).
      let rest = run.rows;
      if (before && before.rows.length < this.#size) {
        const room = this.#size - before.rows.length;
        before.rows.push(...rest.slice(0, room));
        rest = rest.slice(room);
      }
      for (let i = 0; i < rest.length; i += this.#size) {
        groups.push({ key: `c${String(this.#nextKey++)}`, rows: rest.slice(i, i + this.#size) });
      }
    }
    const previous = new Map(this.#chunks.map((chunk) => [chunk.key, chunk]));
    this.#chunks = groups.map((group) => {
      const old = previous.get(group.key);
      return old && sameRows(old.rows, group.rows) ? old : group;
    });
    this.#chunkOf = new Map();
    for (const chunk of this.#chunks)
      for (const row of chunk.rows) this.#chunkOf.set(row.key, chunk.key);
    return this.#chunks;
  }
}

function sameRows<R>(a: readonly R[], b: readonly R[]): boolean {
  return a.length === b.length && a.every((row, i) => row === b[i]);
}
