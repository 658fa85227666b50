import { describe, expect, it } from 'vitest';
import { RowCache } from '../../src/lib/rowcache';

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('RowCache', () => {
  it('asks only for the pages covering the visible rows', () => {
    const c = new RowCache<number>(100, 10);
    c.total = 100_000;
    // Rows 90,010..90,040 all sit on page 900: one request, not 90,000 rows.
    expect(c.claimMissing(90_010, 90_040)).toEqual([900]);
  });

  it('does not ask twice for a page that is already on its way', () => {
    const c = new RowCache<number>(100, 10);
    c.total = 1000;
    expect(c.claimMissing(0, 150)).toEqual([0, 1]);
    expect(c.claimMissing(50, 250), 'pages 0 and 1 are loading; only page 2 is new').toEqual([2]);
  });

  it('drops an answer to a query that was replaced by a new sort or filter', () => {
    const c = new RowCache<number>(10, 10);
    const g = c.generation;
    c.claimMissing(0, 5);
    c.invalidate();
    expect(c.put({ generation: g, page: 0, total: 50, rows: rows(0, 10) }), 'stale answers would show rows in the wrong order').toBe(false);
    expect(c.get(3)).toBeUndefined();
  });

  it('finds a row by its absolute index once its page arrived', () => {
    const c = new RowCache<number>(10, 10);
    c.claimMissing(20, 29);
    expect(c.put({ generation: c.generation, page: 2, total: 35, rows: rows(20, 10) })).toBe(true);
    expect(c.get(27)).toBe(27);
    expect(c.total, 'the total comes from the core').toBe(35);
  });

  it('clamps the last page to the total so it never asks past the end', () => {
    const c = new RowCache<number>(10, 10);
    c.total = 25;
    expect(c.pagesFor(0, 1000)).toEqual([0, 1, 2]);
  });

  it('keeps at most maxPages pages, evicting the least recently seen', () => {
    const c = new RowCache<number>(10, 3);
    for (const p of [0, 1, 2]) {
      c.claimMissing(p * 10, p * 10 + 9);
      c.put({ generation: c.generation, page: p, total: 1000, rows: rows(p * 10, 10) });
    }
    c.claimMissing(0, 9); // page 0 seen again: page 1 is now the oldest
    c.claimMissing(30, 39);
    c.put({ generation: c.generation, page: 3, total: 1000, rows: rows(30, 10) });
    expect(c.heldPages()).toEqual([0, 2, 3]);
  });

  it('lets a failed page be requested again', () => {
    const c = new RowCache<number>(10, 3);
    c.total = 100;
    expect(c.claimMissing(0, 9)).toEqual([0]);
    c.release(0, c.generation);
    expect(c.claimMissing(0, 9)).toEqual([0]);
  });

  it('updates one held row in place after an inline edit', () => {
    const c = new RowCache<number>(10, 3);
    c.claimMissing(0, 9);
    c.put({ generation: c.generation, page: 0, total: 10, rows: rows(0, 10) });
    c.update(4, 400);
    expect(c.get(4)).toBe(400);
  });

  it('refuses a page size of zero', () => {
    expect(() => new RowCache<number>(0, 3)).toThrow();
  });
});
