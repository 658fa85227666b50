// Import wizard rules: what must hold before an import, and the default set name.

export type ColumnRole = 'id' | 'title' | 'text' | 'section' | 'parent' | 'attribute';
export const COLUMN_ROLES: ColumnRole[] = ['id', 'title', 'text', 'section', 'parent', 'attribute'];

export interface WizardColumn {
  index: number;
  header: string;
  role: ColumnRole;
}

/** Where a column's role came from, as the dry run reported it. */
export interface DetectedColumn extends WizardColumn {
  reason?: string;
}

/** The user's role choices, by 0-based column index. */
export type RoleChoices = Record<number, ColumnRole>;

// A requirement has one title, one text and so on; several id columns are read as hierarchy
// levels (left to right), and any number of columns are kept as attributes.
const SINGLE: ReadonlySet<ColumnRole> = new Set(['title', 'text', 'section', 'parent']);

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

/** What to know about the roles that does not stop the import. */
export function roleNotes(columns: WizardColumn[]): string[] {
  const ids = columns.filter((c) => c.role === 'id');
  if (ids.length > 1) {
    return [`${ids.length} id columns are read as hierarchy levels, left to right: ${ids.map((c) => columnName(c)).join(', ')}.`];
  }
  return [];
}

/** The spreadsheet letter of a 0-based column index: A … Z, AA … */
export function columnLetter(index: number): string {
  let n = Math.floor(index) + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** How the wizard names a column: its header, or its letter when it has none. */
export function columnName(c: WizardColumn): string {
  return c.header.trim() || `column ${columnLetter(c.index)}`;
}

/**
 * How the request names a column (the core takes a header, or a column letter): its header
 * when that is unique in the sheet and no other column's letter, else its letter.
 */
export function columnKey(columns: WizardColumn[], c: WizardColumn): string {
  const h = c.header.trim().toLowerCase();
  const unique = h !== '' && columns.filter((o) => o.header.trim().toLowerCase() === h).length === 1;
  return unique ? c.header.trim() : columnLetter(c.index);
}

/**
 * The columns as the wizard shows them: the dry run's roles with the user's choices on top. A
 * column the user did not choose loses a one-column role (title, text, section, parent) that a
 * choice took, as the importer does: it detects the other columns around the choices.
 */
export function withChoices(detected: WizardColumn[], choices: RoleChoices): WizardColumn[] {
  const taken = new Set(Object.values(choices).filter((r) => SINGLE.has(r) || r === 'id'));
  return detected.map((c) => {
    const chosen = choices[c.index];
    if (chosen) return { ...c, role: chosen };
    if (taken.has(c.role)) return { ...c, role: 'attribute' };
    return c;
  });
}

/**
 * The user's choices as `ImportRequest.columns` (`[header or letter, role]`), in column order.
 * Only what the user chose goes in, so the importer still detects the rest around the choices
 * (a column chosen as text takes that role from the one detected before).
 */
export function roleRequest(detected: WizardColumn[], choices: RoleChoices): [string, ColumnRole][] {
  return detected.filter((c) => choices[c.index] !== undefined).map((c) => [columnKey(detected, c), choices[c.index]]);
}

/** Records a choice from a role dropdown. */
export function choose(choices: RoleChoices, index: number, role: ColumnRole): RoleChoices {
  return { ...choices, [index]: role };
}

/** The default set name: the file name without directory and extension, as the CLI does. */
export function defaultSetName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const dot = file.lastIndexOf('.');
  return (dot > 0 ? file.slice(0, dot) : file).trim();
}
