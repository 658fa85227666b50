import { describe, expect, it } from 'vitest';
import type { MergeIssue } from '../../src/lib/api';
import { describeIssue, sortIssues } from '../../src/lib/merge';

const issue = (over: Partial<MergeIssue>): MergeIssue => ({
  sheet: 'Matrix',
  row: null,
  column: null,
  cell: null,
  key: null,
  what: 'identifying cell changed: the row no longer matches its hidden key',
  was: null,
  now: null,
  ...over,
});

describe('why a merge was refused', () => {
  it('locates a changed identifying cell and says what changed', () => {
    expect(describeIssue(issue({ row: 7, column: 'Req ID', cell: 'B7', key: 'acme:R-2', was: 'R-2', now: 'R-9' }))).toBe(
      "Row 7, column 'Req ID' (cell B7), requirement acme:R-2: identifying cell changed: the row no longer matches its hidden key (was \"R-2\", now \"R-9\")",
    );
  });

  it('keeps markup typed into a cell as characters in the line', () => {
    const line = describeIssue(issue({ row: 3, column: 'Notes', cell: 'P3', key: 'acme:R-1', what: 'a formula cannot be merged', now: '<b>x</b>' }));
    expect(line).toContain('now "<b>x</b>"');
  });

  it('names the sheet when no row or cell is known, and sorts by row', () => {
    expect(describeIssue(issue({ sheet: 'Links', what: 'exported sheet deleted' }))).toBe("Sheet 'Links': exported sheet deleted");
    expect(sortIssues([issue({ row: 9 }), issue({}), issue({ row: 2 })]).map((i) => i.row)).toEqual([2, 9, null]);
  });
});
