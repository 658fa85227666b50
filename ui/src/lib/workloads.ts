// The workloads of an engagement as the start screen collects them and the panel labels them.
import type { CoverageSource } from './api';

/** Adds a trimmed name to the list unless it is blank or already there (case-insensitively). */
export function addWorkloadName(list: string[], raw: string): { list: string[]; error: string | null } {
  const name = raw.trim();
  if (!name) return { list, error: 'Give the workload a name.' };
  if (list.some((w) => w.toLowerCase() === name.toLowerCase())) return { list, error: `${name} is already in the list.` };
  return { list: [...list, name], error: null };
}

/** Names typed as "a, b" (or pasted) become several entries. */
export function addWorkloadNames(list: string[], raw: string): { list: string[]; error: string | null } {
  let out = list;
  let error: string | null = null;
  const parts = raw.split(',');
  for (const part of parts) {
    if (parts.length > 1 && part.trim() === '') continue;
    const r = addWorkloadName(out, part);
    out = r.list;
    error = r.error ?? error;
  }
  return { list: out, error };
}

export const SOURCE_LABELS: Record<CoverageSource, string> = {
  derived: 'derived from the mappings',
  workload_override: "this workload's override",
  engagement_override: 'engagement-wide override',
};
