// Turning the core's coverage counts into chart data and click-through filters.

export const COVERAGE_STATES = ['inherited', 'partial', 'workload', 'gap', 'not_applicable'] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

export const COVERAGE_LABELS: Record<CoverageState, string> = {
  inherited: 'Inherited',
  partial: 'Partial',
  workload: 'Workload',
  gap: 'Gap',
  not_applicable: 'Not applicable',
};

// Colour-blind-safe palette (Okabe–Ito), the same meaning everywhere in the app.
export const COVERAGE_COLOURS: Record<CoverageState, string> = {
  inherited: '#009E73',
  partial: '#E69F00',
  workload: '#0072B2',
  gap: '#D55E00',
  not_applicable: '#999999',
};

export interface CoverageGroup {
  /** What the group is: a CAF capability ref or a workplan domain key. */
  key: string;
  label: string;
  counts: Partial<Record<CoverageState, number>>;
}

export interface StackedBars {
  labels: string[];
  keys: string[];
  datasets: { state: CoverageState; label: string; colour: string; data: number[] }[];
}

/** One stacked bar per group, one dataset per coverage state; states nobody has are left out. */
export function stackedBars(groups: CoverageGroup[]): StackedBars {
  const present = COVERAGE_STATES.filter((s) => groups.some((g) => (g.counts[s] ?? 0) > 0));
  return {
    labels: groups.map((g) => g.label),
    keys: groups.map((g) => g.key),
    datasets: present.map((state) => ({
      state,
      label: COVERAGE_LABELS[state],
      colour: COVERAGE_COLOURS[state],
      data: groups.map((g) => g.counts[state] ?? 0),
    })),
  };
}

export function totals(groups: CoverageGroup[]): Record<CoverageState, number> {
  const out = Object.fromEntries(COVERAGE_STATES.map((s) => [s, 0])) as Record<CoverageState, number>;
  for (const g of groups) for (const s of COVERAGE_STATES) out[s] += g.counts[s] ?? 0;
  return out;
}

/** Share of assessable requirements (not counting not-applicable) that are covered at all. */
export function coveredShare(t: Record<CoverageState, number>): number {
  const assessable = t.inherited + t.partial + t.workload + t.gap;
  return assessable === 0 ? 0 : (t.inherited + t.partial + t.workload) / assessable;
}

export function isCoverageState(value: string): value is CoverageState {
  return (COVERAGE_STATES as readonly string[]).includes(value);
}
