import { describe, expect, it } from 'vitest';
import { addWorkloadName, addWorkloadNames } from '../../src/lib/workloads';

describe('collecting workloads on the start screen', () => {
  it('adds trimmed names and refuses blanks and duplicates', () => {
    expect(addWorkloadName(['billing'], '  portal ')).toEqual({ list: ['billing', 'portal'], error: null });
    expect(addWorkloadName(['billing'], '   ').error).toBe('Give the workload a name.');
    expect(addWorkloadName(['billing'], 'Billing')).toEqual({ list: ['billing'], error: 'Billing is already in the list.' });
  });

  it('takes a comma-separated list as several names', () => {
    expect(addWorkloadNames([], 'billing, portal,, billing')).toEqual({ list: ['billing', 'portal'], error: 'billing is already in the list.' });
  });
});
