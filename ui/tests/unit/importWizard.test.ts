import { describe, expect, it } from 'vitest';
import { defaultSetName, roleProblems, type WizardColumn } from '../../src/lib/importWizard';

const cols: WizardColumn[] = [
  { index: 0, header: 'ID', role: 'id' },
  { index: 1, header: 'Control', role: 'text' },
  { index: 2, header: 'Family', role: 'attribute' },
];

describe('import wizard roles', () => {
  it('flags two columns claiming the id role', () => {
    const twoIds = cols.map((c) => (c.index === 2 ? { ...c, role: 'id' as const } : c));
    expect(roleProblems(twoIds), 'two id columns would make refs ambiguous').toEqual(['Only one column can be the id; 2 are.']);
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
