import { describe, expect, it } from 'vitest';
import type { MergeConflict, MergeIssue, MergeOutcome } from '../../src/lib/api';
import { conflictLine, conflictPlace, describeIssue, fieldLabel, mergedLine, shownValue, sortIssues } from '../../src/lib/merge';

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

const conflict = (over: Partial<MergeConflict>): MergeConflict => ({
  key: 'k',
  set: 'acme',
  ref: 'R-2',
  workload: null,
  row: 7,
  exported_version: 3,
  current_version: 4,
  reason: 'changed in the engagement since the export too',
  fields: [{ field: 'owner', exported: 'Ops', current: 'Dana', edited: 'Sam' }],
  ...over,
});

describe('what a three-way merge did', () => {
  it('says what was merged, with one row or many', () => {
    const m = (applied: number, already_applied: number): MergeOutcome => ({ applied, already_applied, conflicts: [], ignored: [], refused: false, refusals: [] });
    expect(mergedLine(m(1, 0))).toBe('Merged the edits of 1 row.');
    expect(mergedLine(m(3, 2))).toBe('Merged the edits of 3 rows; 2 rows already held them.');
  });

  it('says a field changed on both sides kept the value here and the rest of the row merged', () => {
    expect(conflictLine([])).toBe('');
    expect(conflictLine([conflict({})])).toBe(
      "1 field in 1 row changed both here since the export and in the file, to different values: the value here was kept and the file's was not merged; the other fields of that row were merged.",
    );
    const two = conflict({
      ref: 'R-3',
      fields: [
        { field: 'notes', exported: '', current: 'a', edited: 'b' },
        { field: 'evidence', exported: null, current: 'x', edited: 'y' },
      ],
    });
    expect(conflictLine([conflict({}), two])).toBe(
      "3 fields in 2 rows changed both here since the export and in the file, to different values: the value here was kept and the file's was not merged; the other fields of those rows were merged.",
    );
  });

  it('names a row whose requirement is gone apart from the field conflicts', () => {
    const gone = conflict({ fields: [], current_version: null, reason: 'the requirement is no longer in the engagement' });
    expect(conflictLine([gone])).toBe('1 row was not merged: the requirement it names is not in the engagement.');
    expect(conflictLine([conflict({}), gone, gone])).toBe(
      "1 field in 1 row changed both here since the export and in the file, to different values: the value here was kept and the file's was not merged; the other fields of that row were merged. 2 rows were not merged: the requirement they name is not in the engagement.",
    );
  });

  it('locates a conflict and shows its three values', () => {
    expect(conflictPlace(conflict({}))).toBe('acme:R-2 (row 7)');
    expect(conflictPlace(conflict({ workload: 'billing' }))).toBe('acme:R-2 @ billing (row 7)');
    expect(conflictPlace(conflict({ set: '', ref: '', fields: [] }))).toBe('Row 7');
    expect(fieldLabel('coverage_override')).toBe('Coverage override');
    expect(fieldLabel('owner')).toBe('Owner');
    expect([null, '', 'Ops'].map(shownValue)).toEqual(['(not known)', '(empty)', 'Ops']);
  });
});
