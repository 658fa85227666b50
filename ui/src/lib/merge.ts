// Words for why a matrix merge was refused, one line per cell or row, located so the consultant
// can find it in the workbook. Cell contents are quoted as text; the UI renders them as text.
import type { MergeConflict, MergeIssue, MergeOutcome } from './api';

/** "Row 7, column 'Req ID' (cell B7), requirement acme:R-2: <what> (was "R-2", now "R-9")". */
export function describeIssue(issue: MergeIssue): string {
  const where: string[] = [];
  if (issue.row !== null) where.push(`Row ${issue.row}`);
  if (issue.column) where.push(`column '${issue.column}'${issue.cell ? ` (cell ${issue.cell})` : ''}`);
  else if (issue.cell) where.push(`cell ${issue.cell}`);
  if (where.length === 0) where.push(`Sheet '${issue.sheet}'`);
  else if (issue.sheet && issue.sheet !== 'Matrix') where.unshift(`Sheet '${issue.sheet}'`);
  if (issue.key) where.push(`requirement ${issue.key}`);
  let line = `${where.join(', ')}: ${issue.what}`;
  if (issue.was !== null || issue.now !== null) {
    line += ` (was ${JSON.stringify(issue.was ?? '')}, now ${JSON.stringify(issue.now ?? '')})`;
  }
  return line;
}

/** The issues in workbook order: by row, rows without a number last. */
export function sortIssues(issues: MergeIssue[]): MergeIssue[] {
  return [...issues].sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER));
}

// A merge that went through is three-way per field: a field changed only in the file is merged,
// a field changed on both sides to different values is a conflict (the engagement's value is
// kept), and the row's other fields merge.

export const FIELD_LABELS: Record<string, string> = {
  coverage_override: 'Coverage override',
  owner: 'Owner',
  evidence: 'Evidence',
  notes: 'Notes',
};

export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The first line of the result: what was merged. */
export function mergedLine(m: MergeOutcome): string {
  const already = m.already_applied ? `; ${plural(m.already_applied, 'row', 'rows')} already held them` : '';
  return `Merged the edits of ${plural(m.applied, 'row', 'rows')}${already}.`;
}

/** What the conflicts mean, or '' when there are none. */
export function conflictLine(conflicts: MergeConflict[]): string {
  if (!conflicts.length) return '';
  const fields = conflicts.reduce((n, c) => n + c.fields.length, 0);
  const gone = conflicts.filter((c) => c.fields.length === 0).length;
  const parts: string[] = [];
  if (fields) {
    parts.push(
      `${plural(fields, 'field', 'fields')} in ${plural(conflicts.length - gone, 'row', 'rows')} changed both here since the export and in the file, to different values: ` +
        `the value here was kept and the file's was not merged; the other fields of ${conflicts.length - gone === 1 ? 'that row' : 'those rows'} were merged.`,
    );
  }
  if (gone) parts.push(`${plural(gone, 'row was', 'rows were')} not merged: the requirement ${gone === 1 ? 'it names is' : 'they name is'} not in the engagement.`);
  return parts.join(' ');
}

/** Where a conflict is: "acme:R-1 @ billing (row 7)". */
export function conflictPlace(c: MergeConflict): string {
  if (!c.ref) return `Row ${c.row}`;
  return `${c.set}:${c.ref}${c.workload ? ` @ ${c.workload}` : ''} (row ${c.row})`;
}

/** A value as the table shows it: an empty value is named, not left blank. */
export function shownValue(v: string | null): string {
  if (v === null) return '(not known)';
  return v === '' ? '(empty)' : v;
}
