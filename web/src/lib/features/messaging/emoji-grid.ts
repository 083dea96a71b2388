/**
 * Keyboard movement in the emoji picker: categories of emoji, each laid out in rows of
 * `columns`. Pure, so the picker component only forwards keys and focuses the result.
 */

/** An emoji's place in the picker: its category and its index within it. */
export interface GridPosition {
  /** Index of the category. */
  group: number;
  /** Index of the emoji in its category. */
  index: number;
}

/** Emoji per row in the picker (its CSS grid reads the same constant). */
export const EMOJI_COLUMNS = 8;

/**
 * Where `key` moves the focus from `at`, given the number of emoji in each category: arrows move
 * by one or by a row, crossing into the next or previous category (keeping the column where it
 * can); Home and End go to the first and last emoji. Returns `at` itself at an edge, and null for
 * keys that do not move the focus.
 */
export function moveInGrid(
  sizes: readonly number[],
  at: GridPosition,
  key: string,
  columns: number,
): GridPosition | null {
  const column = at.index % columns;
  const row = Math.floor(at.index / columns);
  switch (key) {
    case 'ArrowRight': {
      if (at.index + 1 < sizeOf(sizes, at.group)) return { group: at.group, index: at.index + 1 };
      const next = nextGroup(sizes, at.group, 1);
      return next === null ? at : { group: next, index: 0 };
    }
    case 'ArrowLeft': {
      if (at.index > 0) return { group: at.group, index: at.index - 1 };
      const previous = nextGroup(sizes, at.group, -1);
      return previous === null ? at : { group: previous, index: sizeOf(sizes, previous) - 1 };
    }
    case 'ArrowDown': {
      const size = sizeOf(sizes, at.group);
      if (row < lastRow(size, columns)) {
        return { group: at.group, index: Math.min(at.index + columns, size - 1) };
      }
      const next = nextGroup(sizes, at.group, 1);
      return next === null ? at : { group: next, index: Math.min(column, sizeOf(sizes, next) - 1) };
    }
    case 'ArrowUp': {
      if (row > 0) return { group: at.group, index: at.index - columns };
      const previous = nextGroup(sizes, at.group, -1);
      if (previous === null) return at;
      const size = sizeOf(sizes, previous);
      return {
        group: previous,
        index: Math.min(lastRow(size, columns) * columns + column, size - 1),
      };
    }
    case 'Home': {
      const first = nextGroup(sizes, -1, 1);
      return first === null ? at : { group: first, index: 0 };
    }
    case 'End': {
      const last = nextGroup(sizes, sizes.length, -1);
      return last === null ? at : { group: last, index: sizeOf(sizes, last) - 1 };
    }
    default:
      return null;
  }
}

function sizeOf(sizes: readonly number[], group: number): number {
  return sizes[group] ?? 0;
}

function lastRow(size: number, columns: number): number {
  return Math.max(0, Math.floor((size - 1) / columns));
}

/** The nearest category after (`step` 1) or before (`step` -1) `group` that has emoji. */
function nextGroup(sizes: readonly number[], group: number, step: 1 | -1): number | null {
  for (let g = group + step; g >= 0 && g < sizes.length; g += step) {
    if (sizeOf(sizes, g) > 0) return g;
  }
  return null;
}
