import { describe, expect, it } from 'vitest';
import { coveredShare, stackedBars, totals, type CoverageGroup } from '../../src/lib/coverage';

const groups: CoverageGroup[] = [
  { key: 'caf:IAM', label: 'Identity and access management', counts: { inherited: 3, gap: 2 } },
  { key: 'caf:DP', label: 'Data protection', counts: { workload: 4, gap: 1 } },
];

describe('coverage charts', () => {
  it('makes one dataset per coverage state that occurs, aligned with the groups', () => {
    const bars = stackedBars(groups);
    expect(bars.labels).toEqual(['Identity and access management', 'Data protection']);
    expect(bars.datasets.map((d) => d.state), 'partial and n/a occur nowhere').toEqual(['inherited', 'workload', 'gap']);
    expect(bars.datasets.find((d) => d.state === 'gap')?.data).toEqual([2, 1]);
    expect(bars.keys, 'click-through needs the group key of each bar').toEqual(['caf:IAM', 'caf:DP']);
  });

  it('adds up totals over groups', () => {
    const t = totals(groups);
    expect(t).toEqual({ inherited: 3, partial: 0, workload: 4, gap: 3, not_applicable: 0 });
    expect(coveredShare(t)).toBeCloseTo(7 / 10);
  });

  it('gives a share of zero when nothing is assessable rather than dividing by zero', () => {
    expect(coveredShare(totals([]))).toBe(0);
  });
});
