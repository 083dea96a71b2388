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

/**
 * Groups rows into chunks that keep their rows between updates: returns the function that gives
 * the chunks of the rows it is called with (in order, each row once). A closure, not a class:
 * its state minifies (it is on the first screen).
 */
export function rowChunker<R extends { readonly key: string }>(
  size: number,
): (rows: readonly R[]) => RowChunk<R>[] {
  let chunks = new Map<string, RowChunk<R>>();
  /** Row key → the key of its chunk, as of the last call. */
  let chunkOf = new Map<string, string>();
  let nextKey = 0;
  return (rows) => {
    // Runs of consecutive rows that were in the same chunk; null: rows new to the log.
    const runs: { key: string | null; rows: R[] }[] = [];
    for (const row of rows) {
      const key = chunkOf.get(row.key) ?? null;
      const last = runs.at(-1);
      if (last && last.key === key) last.rows.push(row);
      else runs.push({ key, rows: [row] });
    }
    // New rows inside a chunk (a late message between two of its rows) stay in that chunk.
    for (let i = runs.length - 2; i > 0; i--) {
      const [before, run, after] = runs.slice(i - 1, i + 2);
      if (run?.key === null && before?.key != null && before.key === after?.key) {
        before.rows.push(...run.rows, ...after.rows);
        runs.splice(i, 2);
      }
    }
    const groups: { key: string; rows: R[] }[] = [];
    const used = new Set<string>();
    for (const run of runs) {
      if (run.key !== null && !used.has(run.key)) {
        used.add(run.key);
        groups.push({ key: run.key, rows: run.rows });
        continue;
      }
      // New rows (or a chunk's rows seen again after another chunk: the log was re-sorted) fill
      // the chunk before them, then chunks of their own.
      const before = groups.at(-1);
      let rest = run.rows;
      if (before && before.rows.length < size) {
        rest = rest.slice(size - before.rows.length);
        before.rows.push(...run.rows.slice(0, run.rows.length - rest.length));
      }
      for (let i = 0; i < rest.length; i += size) {
        groups.push({ key: `c${String(nextKey++)}`, rows: rest.slice(i, i + size) });
      }
    }
    const previous = chunks;
    chunks = new Map();
    chunkOf = new Map();
    return groups.map((group) => {
      const old = previous.get(group.key);
      const chunk =
        old?.rows.length === group.rows.length && old.rows.every((row, i) => row === group.rows[i])
          ? old
          : group;
      chunks.set(chunk.key, chunk);
      for (const row of chunk.rows) chunkOf.set(row.key, chunk.key);
      return chunk;
    });
  };
}
