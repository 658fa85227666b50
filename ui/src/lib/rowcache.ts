// Which pages of rows the grid holds, which it still needs, and which answers are stale.
// The grid never asks the core for all rows: it asks for the pages covering what is on screen,
// and keeps a bounded number of pages so a 100,000-row set stays small in memory.

export interface PageAnswer<T> {
  /** The query generation the request was made for. */
  generation: number;
  page: number;
  total: number;
  rows: T[];
}

export class RowCache<T> {
  readonly pageSize: number;
  readonly maxPages: number;
  #generation = 0;
  #pages = new Map<number, T[]>();
  #loading = new Set<number>();
  // Most recently used last; Map keeps insertion order.
  #lru = new Map<number, true>();
  total = 0;

  constructor(pageSize = 200, maxPages = 20) {
    if (pageSize < 1 || maxPages < 1) throw new Error('page size and page count must be positive');
    this.pageSize = pageSize;
    this.maxPages = maxPages;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Forget every page: the sort, filter or search changed, so old rows are in the wrong place. */
  invalidate(): number {
    this.#generation += 1;
    this.#pages.clear();
    this.#loading.clear();
    this.#lru.clear();
    return this.#generation;
  }

  /** Page numbers covering rows [start, end] inclusive, clamped to the known total. */
  pagesFor(start: number, end: number): number[] {
    if (end < start) return [];
    const first = Math.max(0, Math.floor(start / this.pageSize));
    let lastRow = end;
    if (this.total > 0) lastRow = Math.min(end, this.total - 1);
    const last = Math.max(first, Math.floor(lastRow / this.pageSize));
    const out: number[] = [];
    for (let p = first; p <= last; p++) out.push(p);
    return out;
  }

  /** Pages covering the range that are neither held nor already requested; marks them requested. */
  claimMissing(start: number, end: number): number[] {
    const wanted = this.pagesFor(start, end).filter((p) => !this.#pages.has(p) && !this.#loading.has(p));
    for (const p of wanted) this.#loading.add(p);
    for (const p of this.pagesFor(start, end)) this.#touch(p);
    return wanted;
  }

  /** Stores an answer unless it belongs to an older query; returns whether it was kept. */
  put(answer: PageAnswer<T>): boolean {
    if (answer.generation !== this.#generation) return false;
    this.#loading.delete(answer.page);
    this.total = answer.total;
    this.#pages.set(answer.page, answer.rows);
    this.#touch(answer.page);
    this.#evict(answer.page);
    return true;
  }

  /** A failed request may be retried later. */
  release(page: number, generation: number): void {
    if (generation === this.#generation) this.#loading.delete(page);
  }

  get(index: number): T | undefined {
    const rows = this.#pages.get(Math.floor(index / this.pageSize));
    return rows?.[index % this.pageSize];
  }

  /** Replaces one held row in place (after an inline edit) without refetching its page. */
  update(index: number, row: T): void {
    const rows = this.#pages.get(Math.floor(index / this.pageSize));
    if (rows && index % this.pageSize < rows.length) rows[index % this.pageSize] = row;
  }

  heldPages(): number[] {
    return [...this.#pages.keys()].sort((a, b) => a - b);
  }

  #touch(page: number): void {
    this.#lru.delete(page);
    this.#lru.set(page, true);
  }

  #evict(keep: number): void {
    for (const page of this.#lru.keys()) {
      if (this.#pages.size <= this.maxPages) break;
      if (page === keep || !this.#pages.has(page)) continue;
      this.#pages.delete(page);
      this.#lru.delete(page);
    }
  }
}
