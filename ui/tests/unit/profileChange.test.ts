import { describe, expect, it } from 'vitest';
import type { ProfileChange } from '../../src/lib/api';
import { describeChange, movedRequirements, presetStatus } from '../../src/lib/profileChange';

const change = (over: Partial<ProfileChange>): ProfileChange => ({
  enabled: [],
  disabled: [],
  unchanged: [],
  mandatory_disabled: [],
  coverage_moves: [],
  moved: [],
  enabled_now: 12,
  ...over,
});

describe('what a profile change did', () => {
  it('says which control switched and how coverage moved', () => {
    const lines = describeChange(
      change({
        enabled: ['ct:SH.KMS.4'],
        coverage_moves: [
          { from: 'workload', to: 'inherited', requirements: 3 },
          { from: 'gap', to: 'partial', requirements: 1 },
        ],
        enabled_now: 13,
      }),
    );
    expect(lines).toEqual([
      'Enabled ct:SH.KMS.4.',
      '3 requirements moved from Workload to Inherited.',
      '1 requirement moved from Gap to Partial.',
      '13 controls are enabled now.',
    ]);
  });

  it('warns when a mandatory control is switched off and says when nothing moved', () => {
    const lines = describeChange(change({ disabled: ['ct:AWS-GR_CLOUDTRAIL_ENABLED'], mandatory_disabled: ['ct:AWS-GR_CLOUDTRAIL_ENABLED'] }));
    expect(lines).toContain('Warning: ct:AWS-GR_CLOUDTRAIL_ENABLED is mandatory in a Control Tower landing zone.');
    expect(lines).toContain('No requirement changed coverage.');
    expect(describeChange(change({ unchanged: ['ct:X'] }))[0]).toBe('Nothing changed: every control was already in that state.');
  });

  it('lists the moved requirements, capped', () => {
    const moved = Array.from({ length: 5 }, (_, i) => ({ requirement: `acme:R-${i}`, before: 'gap' as const, after: 'inherited' as const }));
    expect(movedRequirements(change({ moved }), 2)).toEqual({ shown: ['acme:R-0: Gap → Inherited', 'acme:R-1: Gap → Inherited'], more: 3 });
  });

  it('names the preset the profile matches or the nearest one', () => {
    const names = { 'migration-baseline': 'Migration baseline' };
    expect(presetStatus({ preset: 'migration-baseline', default_profile: false, nearest: null }, names)).toBe('Matches the preset Migration baseline.');
    expect(presetStatus({ preset: null, default_profile: false, nearest: { preset: 'migration-baseline', extra: 1, missing: 2 } }, names)).toBe(
      'Custom profile; nearest preset Migration baseline (1 control more, 2 controls fewer).',
    );
    expect(presetStatus({ preset: null, default_profile: true, nearest: null }, names)).toMatch(/mandatory/);
  });
});
