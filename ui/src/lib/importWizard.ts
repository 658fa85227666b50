// Import wizard rules: what must hold before an import, and the default set name.

export type ColumnRole = 'id' | 'title' | 'text' | 'section' | 'parent' | 'attribute';
export const COLUMN_ROLES: ColumnRole[] = ['id', 'title', 'text', 'section', 'parent', 'attribute'];

export interface WizardColumn {
  index: number;
  header: string;
  role: ColumnRole;
}

// A requirement has one id, one title and so on; any number of columns are kept as attributes.
const SINGLE: ReadonlySet<ColumnRole> = new Set(['id', 'title', 'text', 'section', 'parent']);

/** What stops the import: the core needs text for each requirement. */
export function roleProblems(columns: WizardColumn[]): string[] {
  const problems: string[] = [];
  if (!columns.some((c) => c.role === 'text' || c.role === 'title')) {
    problems.push('Choose the column that holds the requirement text (or at least a title).');
  }
  for (const role of SINGLE) {
    const n = columns.filter((c) => c.role === role).length;
    if (n > 1) problems.push(`Only one column can be the ${role}; ${n} are.`);
  }
  return problems;
}

/** The default set name: the file name without directory and extension, as the CLI does. */
export function defaultSetName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const dot = file.lastIndexOf('.');
  return (dot > 0 ? file.slice(0, dot) : file).trim();
}
