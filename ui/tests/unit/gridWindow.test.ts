import { describe, expect, it } from 'vitest';
import { createGridWindow, maxRenderedRows, OVERSCAN, ROW_HEIGHT, rowIndexFromText, type GridVirtualizer } from '../../src/lib/gridWindow';
import { RowCache } from '../../src/lib/rowcache';

/**
 * The grid's own windowing (the options VirtualGrid uses) driven by a stand-in scroller: a
 * viewport of `height` pixels whose scroll offset moves when the grid scrolls it, as a browser's
 * would. No DOM and no clock: the window is a function of the offset.
 */
function scroller(count: number, height = 560) {
  let offset = 0;
  let report: ((offset: number, isScrolling: boolean) => void) | null = null;
  // What the grid reads of its scroller: the scrollable height (the spacer is count × row height)
  // and the viewport.
  const element = { scrollHeight: count * ROW_HEIGHT, clientHeight: height, scrollWidth: 900, clientWidth: 900 } as HTMLDivElement;
  const v: GridVirtualizer = createGridWindow({
    count,
    getScrollElement: () => element,
    onChange: () => {},
    observeElementRect: (_i, cb) => {
      cb({ width: 900, height });
      return () => {};
    },
    observeElementOffset: (_i, cb) => {
      report = cb;
      cb(offset, false);
      return () => {};
    },
    scrollToFn: (to) => {
      offset = Math.max(0, Math.min(to, count * ROW_HEIGHT - height));
      report?.(offset, false);
    },
  });
  v._willUpdate();
  return {
    v,
    /** A wheel or scrollbar move to `to` pixels. */
    scrollTo(to: number) {
      offset = to;
      report?.(offset, true);
      report?.(offset, false);
    },
    indexes: () => v.getVirtualItems().map((i) => i.index),
  };
}

describe('grid windowing (100,000 rows)', () => {
  const TOTAL = 100_000;

  it('renders only the rows in view plus the overscan, not the whole set', () => {
    const s = scroller(TOTAL);
    const rows = s.indexes();
    expect(rows[0]).toBe(0);
    // 560 px / 28 px = 20 rows in view, plus 15 below: 35 rows, whatever the total.
    expect(rows.length).toBe(20 + OVERSCAN);
    expect(rows.length).toBeLessThanOrEqual(maxRenderedRows(560));
    expect(s.v.getTotalSize(), 'the scroll space is the full height, so the scrollbar is true').toBe(TOTAL * ROW_HEIGHT);
  });

  it('jumping to row 90,000 renders that row and its neighbours only', () => {
    const s = scroller(TOTAL);
    s.v.scrollToIndex(89_999, { align: 'start' });
    const rows = s.indexes();
    expect(rows).toContain(89_999);
    expect(rows[0]).toBe(89_999 - OVERSCAN);
    expect(rows[rows.length - 1]).toBe(89_999 + 20 + OVERSCAN - 1);
    expect(rows.length).toBeLessThanOrEqual(maxRenderedRows(560));
    const first = s.v.getVirtualItems().find((i) => i.index === 89_999);
    expect(first?.start, 'row 90,000 sits at its place in the scroll space').toBe(89_999 * ROW_HEIGHT);
  });

  it('a scroll to the bottom shows the last row and never an index past the end', () => {
    const s = scroller(TOTAL);
    s.scrollTo(TOTAL * ROW_HEIGHT - 560);
    const rows = s.indexes();
    expect(rows[rows.length - 1]).toBe(TOTAL - 1);
    expect(Math.max(...rows)).toBeLessThan(TOTAL);
  });

  it('each scroll position asks the page cache for at most two pages of 200 rows', () => {
    const s = scroller(TOTAL);
    const cache = new RowCache<number>(200, 30);
    cache.total = TOTAL;
    let asked = 0;
    for (let offset = 0; offset < TOTAL * ROW_HEIGHT; offset += 97_301) {
      s.scrollTo(offset);
      const rows = s.indexes();
      const pages = cache.claimMissing(rows[0], rows[rows.length - 1]);
      expect(pages.length).toBeLessThanOrEqual(2);
      for (const p of pages) cache.put({ generation: cache.generation, page: p, total: TOTAL, rows: [] });
      asked += pages.length;
    }
    expect(cache.heldPages().length, 'old pages are evicted: memory stays bounded').toBeLessThanOrEqual(30);
    expect(asked).toBeLessThan(TOTAL / 200);
  });

  it('an empty set renders no row', () => {
    const s = scroller(0);
    expect(s.indexes()).toEqual([]);
    expect(s.v.getTotalSize()).toBe(0);
  });
});

describe('rowIndexFromText', () => {
  it('reads a typed row number as a 0-based index, with or without thousands separators', () => {
    expect(rowIndexFromText('90000', 100_000)).toBe(89_999);
    expect(rowIndexFromText(' 90,000 ', 100_000)).toBe(89_999);
    expect(rowIndexFromText('90 000', 100_000)).toBe(89_999);
    expect(rowIndexFromText('1', 5)).toBe(0);
  });

  it('clamps past the last row and refuses what is not a row number', () => {
    expect(rowIndexFromText('250', 100)).toBe(99);
    expect(rowIndexFromText('0', 100)).toBeNull();
    expect(rowIndexFromText('-3', 100)).toBeNull();
    expect(rowIndexFromText('12a', 100)).toBeNull();
    expect(rowIndexFromText('', 100)).toBeNull();
    expect(rowIndexFromText('5', 0)).toBeNull();
  });
});
