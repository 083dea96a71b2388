import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { moveInGrid, type GridPosition } from './emoji-grid';
import { propertyParams } from '../../testing/property';

const FC = propertyParams(777, 2000);
const COLUMNS = 4;
/** Three categories: two full rows and a bit, one short row, and two rows exactly. */
const SIZES = [10, 3, 8] as const;

function at(group: number, index: number): GridPosition {
  return { group, index };
}

describe('moveInGrid', () => {
  it('moves right and left by one, across categories', () => {
    expect(moveInGrid(SIZES, at(0, 0), 'ArrowRight', COLUMNS)).toEqual(at(0, 1));
    expect(moveInGrid(SIZES, at(0, 9), 'ArrowRight', COLUMNS)).toEqual(at(1, 0));
    expect(moveInGrid(SIZES, at(1, 0), 'ArrowLeft', COLUMNS)).toEqual(at(0, 9));
    expect(moveInGrid(SIZES, at(0, 5), 'ArrowLeft', COLUMNS)).toEqual(at(0, 4));
  });

  it('moves down and up by a row, keeping the column', () => {
    expect(moveInGrid(SIZES, at(0, 1), 'ArrowDown', COLUMNS)).toEqual(at(0, 5));
    expect(moveInGrid(SIZES, at(0, 5), 'ArrowUp', COLUMNS)).toEqual(at(0, 1));
  });

  it('goes to the last emoji when the row below is short', () => {
    expect(moveInGrid(SIZES, at(0, 7), 'ArrowDown', COLUMNS)).toEqual(at(0, 9));
  });

  it('crosses into the next and previous category at its edge rows', () => {
    expect(moveInGrid(SIZES, at(0, 9), 'ArrowDown', COLUMNS)).toEqual(at(1, 1));
    expect(moveInGrid(SIZES, at(0, 8), 'ArrowDown', COLUMNS)).toEqual(at(1, 0));
    expect(moveInGrid(SIZES, at(1, 2), 'ArrowDown', COLUMNS)).toEqual(at(2, 2));
    expect(moveInGrid(SIZES, at(2, 3), 'ArrowUp', COLUMNS)).toEqual(at(1, 2));
    expect(moveInGrid(SIZES, at(1, 1), 'ArrowUp', COLUMNS)).toEqual(at(0, 9));
    expect(moveInGrid(SIZES, at(1, 0), 'ArrowUp', COLUMNS)).toEqual(at(0, 8));
  });

  it('stays put at the edges of the whole picker', () => {
    expect(moveInGrid(SIZES, at(0, 0), 'ArrowLeft', COLUMNS)).toEqual(at(0, 0));
    expect(moveInGrid(SIZES, at(0, 2), 'ArrowUp', COLUMNS)).toEqual(at(0, 2));
    expect(moveInGrid(SIZES, at(2, 7), 'ArrowRight', COLUMNS)).toEqual(at(2, 7));
    expect(moveInGrid(SIZES, at(2, 6), 'ArrowDown', COLUMNS)).toEqual(at(2, 6));
  });

  it('goes to the first and last emoji with Home and End', () => {
    expect(moveInGrid(SIZES, at(1, 2), 'Home', COLUMNS)).toEqual(at(0, 0));
    expect(moveInGrid(SIZES, at(1, 2), 'End', COLUMNS)).toEqual(at(2, 7));
  });

  it('skips empty categories', () => {
    expect(moveInGrid([0, 2, 0, 3], at(1, 1), 'ArrowRight', COLUMNS)).toEqual(at(3, 0));
    expect(moveInGrid([0, 2, 0, 3], at(3, 0), 'ArrowUp', COLUMNS)).toEqual(at(1, 0));
    expect(moveInGrid([0, 2, 0, 3], at(3, 0), 'Home', COLUMNS)).toEqual(at(1, 0));
  });

  it.each(['Enter', ' ', 'Tab', 'a', 'Escape'])('leaves %j to others', (key) => {
    expect(moveInGrid(SIZES, at(0, 0), key, COLUMNS)).toBeNull();
  });

  it('always lands on an emoji, and right then left (away from the end) comes back', () => {
    const sizesArb = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 });
    const keyArb = fc.constantFrom(
      'ArrowRight',
      'ArrowLeft',
      'ArrowDown',
      'ArrowUp',
      'Home',
      'End',
    );
    fc.assert(
      fc.property(
        sizesArb.filter((sizes) => sizes.some((n) => n > 0)),
        fc.integer({ min: 1, max: 10 }),
        fc.array(keyArb, { maxLength: 30 }),
        (sizes, columns, keys) => {
          let position = moveInGrid(sizes, at(0, 0), 'Home', columns) ?? at(0, 0);
          for (const key of keys) {
            position = moveInGrid(sizes, position, key, columns) ?? position;
            expect(position.index).toBeGreaterThanOrEqual(0);
            expect(position.index).toBeLessThan(sizes[position.group] ?? 0);
          }
          const right = moveInGrid(sizes, position, 'ArrowRight', columns);
          if (right && (right.group !== position.group || right.index !== position.index)) {
            expect(moveInGrid(sizes, right, 'ArrowLeft', columns)).toEqual(position);
          }
        },
      ),
      FC,
    );
  }, 60_000);
});
