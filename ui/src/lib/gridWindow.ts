// The grid's windowing: which rows exist in the DOM. TanStack Virtual computes the window from
// the scroll offset and the viewport; this module holds the options the grid uses, so the same
// window can be computed in Node (tests/unit/gridWindow.test.ts) with a stand-in scroller.
import {
  elementScroll,
  observeElementOffset,
  observeElementRect,
  Virtualizer,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';

/** Every row has the same height, so the position of row n is n × ROW_HEIGHT: no measuring. */
export const ROW_HEIGHT = 28;
/** Rows rendered above and below the viewport, so a fast wheel turn shows rows, not blanks. */
export const OVERSCAN = 15;

export type GridVirtualizer = Virtualizer<HTMLDivElement, HTMLDivElement>;

export interface WindowOptions {
  count: number;
  /** Read on each layout, so a caller may change it. */
  rowHeight?: () => number;
  overscan?: number;
  getScrollElement: () => HTMLDivElement | null;
  onChange: (v: GridVirtualizer) => void;
  /** The DOM versions by default; tests pass stand-ins. */
  observeElementRect?: VirtualizerOptions<HTMLDivElement, HTMLDivElement>['observeElementRect'];
  observeElementOffset?: VirtualizerOptions<HTMLDivElement, HTMLDivElement>['observeElementOffset'];
  scrollToFn?: VirtualizerOptions<HTMLDivElement, HTMLDivElement>['scrollToFn'];
}

export function createGridWindow(o: WindowOptions): GridVirtualizer {
  const rowHeight = o.rowHeight ?? (() => ROW_HEIGHT);
  return new Virtualizer<HTMLDivElement, HTMLDivElement>({
    count: o.count,
    getScrollElement: o.getScrollElement,
    estimateSize: rowHeight,
    overscan: o.overscan ?? OVERSCAN,
    observeElementRect: o.observeElementRect ?? observeElementRect,
    observeElementOffset: o.observeElementOffset ?? observeElementOffset,
    scrollToFn: o.scrollToFn ?? elementScroll,
    onChange: (v) => o.onChange(v),
  });
}

/** The most rows the grid keeps in the DOM for a viewport of `height` pixels, whatever the total. */
export function maxRenderedRows(height: number, rowHeight = ROW_HEIGHT, overscan = OVERSCAN): number {
  return Math.ceil(height / rowHeight) + 1 + 2 * overscan;
}

/**
 * The 0-based row index a typed row number asks for ("90000", "90,000" or "90 000" → 89999),
 * clamped to the rows there are; null when the text is not a positive whole number or there
 * are no rows.
 */
export function rowIndexFromText(text: string, total: number): number | null {
  const digits = text.trim().replace(/[\s,.'\u00a0\u202f]/g, '');
  if (!/^\d+$/.test(digits) || total <= 0) return null;
  const n = Number(digits);
  if (n < 1) return null;
  return Math.min(total, n) - 1;
}
