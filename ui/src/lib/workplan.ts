// The security workstream in the window: the workplan (tasks, subtasks, policy decisions) and the
// readiness assessment per domain. Types mirror the shell's JSON; the functions are pure, so the
// view's rules (progress, what an edit sends, what is refused before asking the core) are tested
// in Node.

export const WORKPLAN_STATUSES = ['not_started', 'in_progress', 'done', 'not_applicable'] as const;
export type WorkplanStatus = (typeof WORKPLAN_STATUSES)[number];

export const STATUS_LABELS: Record<WorkplanStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
  not_applicable: 'Not applicable',
};

export interface WorkProgress {
  not_started: number;
  in_progress: number;
  done: number;
  not_applicable: number;
}

export interface ControlView {
  /** Qualified: `ct:AWS-GR_ROOT_ACCOUNT_MFA_ENABLED`. */
  ref: string;
  kind: string;
  title: string;
  relationship: string;
  /** For landing-zone controls: whether the profile enables it. */
  enabled: boolean | null;
  rationale: string;
}

export interface WorkplanSubtask {
  ref: string;
  task: string;
  title: string;
  text: string;
  msr_id: string | null;
  policy: boolean;
  status: WorkplanStatus;
  reason: string;
  owner: string;
  due: string | null;
  notes: string;
  decision: string;
  enforced_by: ControlView[];
  ruled_out: ControlView[];
  suggested_controls: ControlView[];
  coverage: string | null;
  artifacts: string[];
  removed: boolean;
  updated_at: string | null;
  updated_by: string | null;
}

export interface WorkplanTask {
  ref: string;
  title: string;
  text: string;
  status: WorkplanStatus;
  progress: WorkProgress;
  owner: string;
  due: string | null;
  notes: string;
  artifacts: string[];
  subtasks: WorkplanSubtask[];
}

export interface WorkplanList {
  tasks: WorkplanTask[];
  progress: WorkProgress;
}

/** What the shell's `workplan_set` takes; fields left out do not change. */
export interface WorkplanEdit {
  ref: string;
  status?: WorkplanStatus;
  reason?: string;
  owner?: string;
  due?: string;
  notes?: string;
  decision?: string;
  add_artifacts?: string[];
  remove_artifacts?: string[];
  enforced_by?: string[];
  not_enforced_by?: string[];
  rationale?: string;
}

export interface WorkplanSetReport {
  ref: string;
  changed: boolean;
  mappings: { ref: string; status: string; change: string }[];
  task: WorkplanTask;
}

export function total(p: WorkProgress): number {
  return p.not_started + p.in_progress + p.done + p.not_applicable;
}

/** Subtasks that count: the ones that apply. */
export function applicable(p: WorkProgress): number {
  return total(p) - p.not_applicable;
}

/** Share of the applicable subtasks that are done, 0..1 (0 when none applies). */
export function doneShare(p: WorkProgress): number {
  const n = applicable(p);
  return n === 0 ? 0 : p.done / n;
}

/** `3/5 done`, as the readiness report writes it (not-applicable subtasks left out). */
export function progressLabel(p: WorkProgress): string {
  return `${p.done}/${applicable(p)} done`;
}

export function subtaskCount(list: WorkplanList): number {
  return list.tasks.reduce((n, t) => n + t.subtasks.length, 0);
}

/** The fields of a subtask the form edits, as text. */
export interface SubtaskForm {
  status: WorkplanStatus;
  reason: string;
  owner: string;
  due: string;
  notes: string;
  decision: string;
}

export function formOf(s: WorkplanSubtask): SubtaskForm {
  return {
    status: s.status,
    reason: s.reason,
    owner: s.owner,
    due: s.due ?? '',
    notes: s.notes,
    decision: s.decision,
  };
}

/** `YYYY-MM-DD` naming a real day, or empty (which clears the due date). */
export function isDueDate(text: string): boolean {
  const t = text.trim();
  if (t === '') return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Why the form cannot be saved as it stands, in the words the view shows; empty when it can. */
export function formProblems(f: SubtaskForm): string[] {
  const out: string[] = [];
  if (f.status === 'not_applicable' && f.reason.trim() === '') out.push('Say why the subtask does not apply.');
  if (!isDueDate(f.due)) out.push(`"${f.due.trim()}" is not a due date: write it as YYYY-MM-DD.`);
  return out;
}

/**
 * The edit to send for a form: only the fields that differ from the stored subtask, so saving
 * an unchanged form writes nothing and two people editing different fields do not overwrite
 * each other. `null` when nothing changed. A decision is sent for policy subtasks only.
 */
export function editFor(s: WorkplanSubtask, f: SubtaskForm): WorkplanEdit | null {
  const edit: WorkplanEdit = { ref: s.ref };
  let changed = false;
  if (f.status !== s.status) {
    edit.status = f.status;
    changed = true;
  }
  if (f.reason.trim() !== s.reason) {
    edit.reason = f.reason.trim();
    changed = true;
  }
  if (f.owner.trim() !== s.owner) {
    edit.owner = f.owner.trim();
    changed = true;
  }
  if (f.due.trim() !== (s.due ?? '')) {
    edit.due = f.due.trim();
    changed = true;
  }
  if (f.notes !== s.notes) {
    edit.notes = f.notes;
    changed = true;
  }
  if (s.policy && f.decision !== s.decision) {
    edit.decision = f.decision;
    changed = true;
  }
  return changed ? edit : null;
}

/** Replaces one task in the list with the task the core sent back after an edit. */
export function withTask(list: WorkplanList, task: WorkplanTask, subtaskOnly: string | null): WorkplanList {
  const tasks = list.tasks.map((t) => {
    if (t.ref !== task.ref) return t;
    if (subtaskOnly === null) return task;
    // After a subtask edit the core sends the task with that one subtask.
    const updated = task.subtasks.find((s) => s.ref === subtaskOnly);
    return {
      ...task,
      subtasks: t.subtasks.map((s) => (s.ref === subtaskOnly && updated ? updated : s)),
    };
  });
  const progress: WorkProgress = { not_started: 0, in_progress: 0, done: 0, not_applicable: 0 };
  for (const t of tasks) for (const s of t.subtasks) progress[s.status] += 1;
  return { tasks, progress };
}

// --- readiness ---------------------------------------------------------------------------------

export const DIMENSIONS = ['policy', 'process', 'tools', 'people'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  policy: 'Policy',
  process: 'Process',
  tools: 'Tools',
  people: 'People',
};

export const PRIORITIES = ['highest', 'high', 'medium', 'low', 'lowest'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface ReadinessDimension {
  dimension: Dimension;
  current_state: string;
  readiness_state: string;
  gap: string;
  updated_at: string | null;
  updated_by: string | null;
}

export interface ReadinessStory {
  id: number;
  dimension: Dimension | null;
  title: string;
  description: string;
  acceptance_criteria: string[];
  priority: Priority;
  controls: { ref: string; kind: string; title: string }[];
  updated_at: string;
  updated_by: string;
}

export interface ReadinessDomain {
  domain: string;
  name: string;
  task: string;
  progress: WorkProgress;
  dimensions: ReadinessDimension[];
  stories: ReadinessStory[];
}

export interface ReadinessList {
  domains: ReadinessDomain[];
}

export interface StoryEdit {
  title: string;
  description?: string;
  acceptance_criteria?: string[];
  controls?: string[];
  priority?: Priority;
}

export interface ReadinessEdit {
  domain: string;
  dimension?: Dimension;
  current_state?: string;
  readiness_state?: string;
  gap?: string;
  story?: StoryEdit;
  remove_story?: string;
}

export interface ReadinessSetReport {
  domain: ReadinessDomain;
  dimension_changed: boolean;
  story: string | null;
  story_removed: boolean;
}

export interface BacklogStory {
  key: string;
  title: string;
  description: string;
  acceptance_criteria: string[];
  controls: { ref: { framework: string; ref: string }; title: string }[];
  priority: Priority;
  domains: string[];
  sources: ({ kind: 'readiness'; story_id: number; domain: string; dimension: Dimension | null } | { kind: 'requirement'; set: string; ref: string; title: string })[];
  labels: string[];
}

export interface StoryList {
  stories: BacklogStory[];
  readiness_stories: number;
  requirement_gaps: number;
}

export interface ExportedFile {
  out: string;
  sheets: string[];
  workplan_rows: number;
  stories: number;
  requirement_gaps: number;
}

/** One line per entry; blank lines dropped. Used for acceptance criteria and control lists. */
export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Controls typed as a list separated by commas, spaces or new lines (`ct:X, service:kms`). */
export function splitRefs(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The dimensions of a domain that have a gap written down. */
export function gapsOf(d: ReadinessDomain): ReadinessDimension[] {
  return d.dimensions.filter((x) => x.gap.trim() !== '');
}

/** The edit for one dimension's three texts: only what changed; `null` when nothing did. */
export function dimensionEdit(
  domain: string,
  stored: ReadinessDimension,
  form: { current_state: string; readiness_state: string; gap: string },
): ReadinessEdit | null {
  const edit: ReadinessEdit = { domain, dimension: stored.dimension };
  let changed = false;
  for (const k of ['current_state', 'readiness_state', 'gap'] as const) {
    if (form[k] !== stored[k]) {
      edit[k] = form[k];
      changed = true;
    }
  }
  return changed ? edit : null;
}
