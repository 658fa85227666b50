import { describe, expect, it } from 'vitest';
import {
  choose,
  columnKey,
  columnLetter,
  defaultSetName,
  roleNotes,
  roleProblems,
  roleRequest,
  withChoices,
  type WizardColumn,
} from '../../src/lib/importWizard';

const cols: WizardColumn[] = [
  { index: 0, header: 'ID', role: 'id' },
  { index: 1, header: 'Control', role: 'text' },
  { index: 2, header: 'Family', role: 'attribute' },
];

describe('import wizard roles', () => {
  it('reads two id columns as hierarchy levels, as the core does, and flags two text columns', () => {
    const twoIds = cols.map((c) => (c.index === 2 ? { ...c, role: 'id' as const } : c));
    expect(roleProblems(twoIds)).toEqual([]);
    expect(roleNotes(twoIds)).toEqual(['2 id columns are read as hierarchy levels, left to right: ID, Family.']);
    const twoTexts = cols.map((c) => (c.index === 2 ? { ...c, role: 'text' as const } : c));
    expect(roleProblems(twoTexts)).toEqual(['Only one column can be the text; 2 are.']);
    expect(roleNotes(cols)).toEqual([]);
  });

  it('asks for a text column before importing', () => {
    expect(roleProblems(cols)).toEqual([]);
    const none = cols.map((c) => ({ ...c, role: 'attribute' as const }));
    expect(roleProblems(none)).toHaveLength(1);
  });

  it('names the set after the file like the CLI does', () => {
    expect(defaultSetName('/work/shared/samples/real/nist-csf2.0-core-csf2.xlsx')).toBe('nist-csf2.0-core-csf2');
    expect(defaultSetName('C:\\Users\\me\\Reqs.v2.csv')).toBe('Reqs.v2');
    expect(defaultSetName('.hidden')).toBe('.hidden');
  });
});

// The Security Hub export's columns as the importer detects them (samples/real).
const sechub: WizardColumn[] = [
  { index: 0, header: 'Security Control ID', role: 'id' },
  { index: 1, header: 'Title', role: 'title' },
  { index: 2, header: 'Description', role: 'text' },
  { index: 3, header: 'Severity Rating', role: 'attribute' },
  { index: 10, header: 'Category', role: 'section' },
  { index: 14, header: 'Remediation', role: 'attribute' },
];

describe('column roles chosen in the wizard', () => {
  it('sends only the columns the user chose, by header, in column order', () => {
    let choices = choose({}, 14, 'text');
    choices = choose(choices, 3, 'section');
    expect(roleRequest(sechub, choices)).toEqual([
      ['Severity Rating', 'section'],
      ['Remediation', 'text'],
    ]);
    expect(roleRequest(sechub, {})).toEqual([]);
    // A later choice for the same column replaces the earlier one.
    expect(roleRequest(sechub, choose(choices, 14, 'attribute'))).toEqual([
      ['Severity Rating', 'section'],
      ['Remediation', 'attribute'],
    ]);
  });

  it('shows a chosen role taken from the column detected with it', () => {
    const shown = withChoices(sechub, choose({}, 14, 'text'));
    expect(shown.map((c) => `${c.header}=${c.role}`)).toEqual([
      'Security Control ID=id',
      'Title=title',
      'Description=attribute',
      'Severity Rating=attribute',
      'Category=section',
      'Remediation=text',
    ]);
    expect(roleProblems(shown)).toEqual([]);
    // Attributes are never taken away: any number of columns can be kept as attributes.
    const kept = withChoices(sechub, choose({}, 2, 'attribute'));
    expect(kept.find((c) => c.index === 3)?.role).toBe('attribute');
    expect(roleProblems(kept), 'the title alone is enough to import').toEqual([]);
    const untitled = withChoices(sechub, { 1: 'attribute', 2: 'attribute' });
    expect(roleProblems(untitled)).toEqual(['Choose the column that holds the requirement text (or at least a title).']);
  });

  it('names a column by its letter when its header is empty or repeated', () => {
    const odd: WizardColumn[] = [
      { index: 0, header: 'Ref', role: 'id' },
      { index: 1, header: '', role: 'attribute' },
      { index: 2, header: 'Notes', role: 'attribute' },
      { index: 27, header: ' notes ', role: 'attribute' },
    ];
    expect(odd.map((c) => columnKey(odd, c))).toEqual(['Ref', 'B', 'C', 'AB']);
    expect(roleRequest(odd, { 1: 'text', 27: 'section' })).toEqual([
      ['B', 'text'],
      ['AB', 'section'],
    ]);
  });

  it('writes column letters as a spreadsheet does', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});
