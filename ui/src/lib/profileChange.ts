// Words for what a landing-zone profile change did: which controls switched and how the
// requirements' coverage moved because of it.
import { COVERAGE_LABELS } from './coverage';
import type { ProfileChange, ProfileReport } from './api';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line per fact, most important first; never empty. */
export function describeChange(change: ProfileChange): string[] {
  const lines: string[] = [];
  if (change.enabled.length) lines.push(`Enabled ${change.enabled.join(', ')}.`);
  if (change.disabled.length) lines.push(`Disabled ${change.disabled.join(', ')}.`);
  if (!change.enabled.length && !change.disabled.length) lines.push('Nothing changed: every control was already in that state.');
  if (change.mandatory_disabled.length) {
    lines.push(`Warning: ${change.mandatory_disabled.join(', ')} ${change.mandatory_disabled.length === 1 ? 'is' : 'are'} mandatory in a Control Tower landing zone.`);
  }
  if (change.coverage_moves.length === 0) {
    if (change.enabled.length || change.disabled.length) lines.push('No requirement changed coverage.');
  } else {
    for (const m of change.coverage_moves) {
      lines.push(`${plural(m.requirements, 'requirement')} moved from ${COVERAGE_LABELS[m.from]} to ${COVERAGE_LABELS[m.to]}.`);
    }
  }
  lines.push(`${change.enabled_now} controls are enabled now.`);
  return lines;
}

/** The requirements a change moved, at most `max`, as "SET:REF: Gap → Inherited". */
export function movedRequirements(change: ProfileChange, max = 20): { shown: string[]; more: number } {
  const shown = change.moved
    .slice(0, max)
    .map((m) => `${m.requirement}: ${COVERAGE_LABELS[m.before]} → ${COVERAGE_LABELS[m.after]}`);
  return { shown, more: Math.max(0, change.moved.length - max) };
}

/** Which preset the profile is, or how far it is from the nearest one. */
export function presetStatus(report: Pick<ProfileReport, 'preset' | 'default_profile' | 'nearest'>, names: Record<string, string>): string {
  const name = (id: string) => names[id] ?? id;
  if (report.preset) return `Matches the preset ${name(report.preset)}.`;
  if (report.default_profile) return 'The starting profile: only the controls the catalogue marks mandatory.';
  if (report.nearest) {
    const { preset, extra, missing } = report.nearest;
    return `Custom profile; nearest preset ${name(preset)} (${plural(extra, 'control')} more, ${plural(missing, 'control')} fewer).`;
  }
  return 'Custom profile.';
}
