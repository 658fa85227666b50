import { describe, expect, it } from 'vitest';
import { assignRole, defaultSetName, explicitRoles, roleProblems, type WizardColumn } from '../../src/lib/importWizard';

const cols: WizardColumn[] = [
  { index: 0, header: 'ID', role: 'id' },
  { index: 1, header: 'Control', role: 'text' },
  { index: 2, header: 'Family', role: 'attribute' },
];

describe('import wizard roles', () => {
  it('moves a single-use role from one column to another', () => {
    const next = assignRole(cols, 2, 'id');
    expect(next.map((c) => c.role), 'two id columns would make refs ambiguous').toEqual(['attribute', 'text', 'id']);
  });

  it('lets many columns be attributes', () => {
    const next = assignRole(assignRole(cols, 0, 'attribute'), 1, 'attribute');
    expect(next.every((c) => c.role === 'attribute')).toBe(true);
  });

  it('asks for a text column before importing', () => {
    expect(roleProblems(cols)).toEqual([]);
    const none = cols.map((c) => ({ ...c, role: 'attribute' as const }));
    expect(roleProblems(none)).toHaveLength(1);
  });

  it('names roles by header for the core and skips blank headers', () => {
    expect(explicitRoles([...cols, { index: 3, header: '  ', role: 'attribute' }])).toEqual([
      ['ID', 'id'],
      ['Control', 'text'],
      ['Family', 'attribute'],
    ]);
  });

  it('names the set after the file like the CLI does', () => {
    expect(defaultSetName('/work/shared/samples/real/nist-csf2.0-core-csf2.xlsx')).toBe('nist-csf2.0-core-csf2');
    expect(defaultSetName('C:\\Users\\me\\Reqs.v2.csv')).toBe('Reqs.v2');
    expect(defaultSetName('.hidden')).toBe('.hidden');
  });
});
