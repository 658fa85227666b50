// Words for why a matrix merge was refused, one line per cell or row, located so the consultant
// can find it in the workbook. Cell contents are quoted as text; the UI renders them as text.
import type { MergeIssue } from './api';

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
