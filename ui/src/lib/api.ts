// The only module that talks to the shell. Every call is one Tauri command; long work runs as a
// job with a progress channel and can be cancelled by its id (an `invoke` itself cannot be aborted).
import { Channel, invoke } from '@tauri-apps/api/core';
import type { CoverageState } from './coverage';
import type { RecentEngagement } from './recent';
import type { ColumnRole } from './importWizard';
import type {
  ExportedFile,
  ReadinessEdit,
  ReadinessList,
  ReadinessSetReport,
  StoryList,
  WorkplanEdit,
  WorkplanList,
  WorkplanSetReport,
} from './workplan';

export interface AppInfo {
  version: string;
  catalogue_version: string;
  /** True only when the app was started with CROSSWALK_TEST_HOOKS=1 (the e2e tests). */
  test_hooks: boolean;
}

export interface SetSummary {
  name: string;
  requirements: number;
  [key: string]: unknown;
}

export interface EngagementSummary {
  db: string;
  customer: string;
  created_at: string;
  created_by: string;
  catalogue_version: string;
  sets: SetSummary[];
  workloads: string[];
  audit_entries: number;
}

export interface PresetInfo {
  id: string;
  name: string;
  description: string;
  controls: number;
}

export interface ColumnInfo {
  index: number;
  header: string;
  role: ColumnRole;
  /** Why the importer gave the column this role (header name, content, explicit choice). */
  reason?: string;
}

export interface SheetReport {
  name: string;
  header_row: number;
  columns: ColumnInfo[];
  rows: number;
}

export interface ImportWarning {
  sheet: string | null;
  row: number | null;
  column: string | null;
  message: string;
}

export interface ImportReport {
  set: string;
  file: string;
  sheets: SheetReport[];
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  warnings: ImportWarning[];
  requirements: number;
  withdrawn: number;
  notes: string[];
  alternative_sheets: string[];
  dry_run: boolean;
  diff: { added: string[]; changed: string[]; removed: string[] };
  /** The first requirements read, as they will be stored. */
  preview?: PreviewRow[];
}

export interface PreviewRow {
  ref: string;
  sheet: string;
  row: number;
  title: string;
  text: string;
  section: string | null;
  parent: string | null;
}

export interface ImportPreview {
  report: ImportReport;
  /** The sheets the importer read plus the same-shape ones it left out. */
  sheet_names: string[];
}

export interface ImportChoices {
  set: string | null;
  sheets: string[];
  header_row: number | null;
  profile: string | null;
  /** Column roles the user chose: `[header or column letter, role]` (ImportRequest.columns). */
  columns: [string, ColumnRole][];
}

export interface RequirementItem {
  ref: string;
  set: string;
  title: string;
  text: string;
  section: string | null;
  parent: string | null;
  sheet: string | null;
  row: number | null;
  attributes: Record<string, string>;
  withdrawn: boolean;
  coverage: CoverageState;
  coverage_overridden: boolean;
}

export type SortColumn = 'source' | 'ref' | 'title' | 'text' | 'section' | 'coverage' | 'sheet' | 'row';

export interface RequirementQuery {
  set: string | null;
  section: string | null;
  coverage: CoverageState | null;
  search: string | null;
  sort: SortColumn;
  descending: boolean;
  offset: number;
  limit: number;
}

export interface RequirementList {
  total: number;
  offset: number;
  requirements: RequirementItem[];
}

export interface SuggestionItem {
  kind: string;
  ref: string;
  title: string;
  /** False when the source names the target but publishes no title or details for it. */
  details_published: boolean;
  score: number;
  reason: string;
  /** 'accepted' | 'rejected' | null when not decided yet. */
  decision: 'accepted' | 'rejected' | null;
}

export interface MappingItem {
  target: string;
  kind: string;
  title: string;
  relationship: string;
  responsibility: string | null;
  status: 'proposed' | 'accepted' | 'rejected';
  origin: string;
  rationale: string;
}

/** Where a workload's coverage comes from. */
export type CoverageSource = 'derived' | 'workload_override' | 'engagement_override';

/** One requirement as one workload sees it: what that workload's matrix row shows. */
export interface WorkloadAssessment {
  workload: string;
  coverage: CoverageState;
  source: CoverageSource;
  coverage_reason: string;
  /** True once an assessment was recorded for this workload alone. */
  own: boolean;
  owner: string;
  evidence: string;
  notes: string;
}

export interface RequirementDetail {
  requirement: RequirementItem;
  mappings: MappingItem[];
  suggestions: SuggestionItem[];
  owner: string;
  notes: string;
  coverage_reason: string;
  /** The rules' answer from the mappings alone, kept beside an override. */
  derived_coverage: CoverageState;
  workloads: WorkloadAssessment[];
}

export interface WorkloadInfo {
  name: string;
  description: string;
  created_at: string;
  /** Assessments recorded for this workload alone. */
  assessments: number;
}

export interface CatalogueHit {
  /** Qualified: `FRAMEWORK:REF`. */
  ref: string;
  kind: string;
  title: string;
  score: number;
}

export interface ProfileControl {
  ref: string;
  title: string;
  text: string;
  enabled: boolean;
  /** Requirements with an accepted mapping that reaches this control. */
  requirements: number;
}

/** The profile as a whole: which preset it matches, or the nearest one. */
export interface ProfileReport {
  preset: string | null;
  default_profile: boolean;
  nearest: { preset: string; extra: number; missing: number } | null;
  enabled: number;
  total: number;
  controls: ProfileControl[];
}

export interface CoverageMoveCount {
  from: CoverageState;
  to: CoverageState;
  requirements: number;
}

/** What a profile change did, and how coverage moved because of it. */
export interface ProfileChange {
  enabled: string[];
  disabled: string[];
  unchanged: string[];
  mandatory_disabled: string[];
  coverage_moves: CoverageMoveCount[];
  moved: { requirement: string; before: CoverageState; after: CoverageState }[];
  enabled_now: number;
}

export interface CoverageGroupDto {
  key: string;
  label: string;
  counts: Partial<Record<CoverageState, number>>;
}

export interface CoverageSummary {
  by_capability: CoverageGroupDto[];
  by_domain: CoverageGroupDto[];
}

export interface ExportReport {
  out: string;
  format: string;
  rows: number;
  links: number;
  gaps: number;
  /** The keyed content hash written on the About sheet (xlsx only). */
  content_hash: string | null;
  warnings: unknown[];
}

/** What merging an edited matrix did. */
export interface MergeOutcome {
  applied: number;
  already_applied: number;
  /** Rows with a field changed both here since the export and in the file (that field kept as here). */
  conflicts: MergeConflict[];
  /** Changes to read-only cells, rows or sheets: never merged. */
  ignored: string[];
  /** True when nothing at all was merged, for the reasons in `refusals`. */
  refused: boolean;
  refusals: MergeIssue[];
}

/** A row of an edited matrix with fields changed on both sides (or whose requirement is gone). */
export interface MergeConflict {
  key: string;
  set: string;
  ref: string;
  workload: string | null;
  row: number;
  exported_version: number;
  current_version: number | null;
  reason: string;
  /** Each field changed on both sides: as exported, here now (kept), in the file (not merged). */
  fields: FieldConflict[];
}

export interface FieldConflict {
  field: string;
  exported: string | null;
  current: string;
  edited: string;
}

/** One reason a merge was refused, located in the workbook. */
export interface MergeIssue {
  sheet: string;
  row: number | null;
  column: string | null;
  cell: string | null;
  key: string | null;
  what: string;
  was: string | null;
  now: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

/** One progress message of a running job (the shell's `jobs::Progress`). */
export interface Progress {
  /** What the job is doing, in words ("Deriving coverage"). */
  stage: string;
  /** A stable name of the stage ("rows"), "done" once finished. */
  key: string;
  /** Steps finished before this one, of `steps` (step === steps: the job is done). */
  step: number;
  steps: number;
  /** Units of this step done, of `total` (0 of 0: not counted; total 0: open-ended). */
  done: number;
  total: number;
  /** What the units are ("rows", "gaps"), or "". */
  unit: string;
}

export type DialogPurpose =
  | 'new-engagement'
  | 'open-engagement'
  | 'import-sheet'
  | 'export'
  | 'import-matrix'
  | 'readiness-report'
  | 'backlog';

let jobCounter = 0;
/** A job id unique within this window's life. */
export function newJobId(): string {
  jobCounter += 1;
  return `job-${Date.now().toString(36)}-${jobCounter}`;
}

/** Runs a long command as a job: progress arrives on a channel, `cancel` stops it at its next check. */
export function runJob<T>(
  command: string,
  args: Record<string, unknown>,
  onProgress: (p: Progress) => void,
): { job: string; done: Promise<T>; cancel: () => Promise<void> } {
  const job = newJobId();
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  const done = invoke<T>(command, { ...args, job, onProgress: channel });
  return { job, done, cancel: () => invoke('cancel_job', { job }) };
}

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  presets: () => invoke<PresetInfo[]>('profile_presets'),
  pickPath: (purpose: DialogPurpose, suggestedName?: string) =>
    invoke<string | null>('pick_path', { purpose, suggestedName: suggestedName ?? null }),
  createEngagement: (path: string, customer: string, workloads: string[], preset: string | null) =>
    invoke<EngagementSummary>('create_engagement', { path, customer, workloads, preset }),
  openEngagement: (path: string) => invoke<EngagementSummary>('open_engagement', { path }),
  closeEngagement: () => invoke<void>('close_engagement'),
  recent: () => invoke<RecentEngagement[]>('recent_engagements'),
  forgetRecent: (path: string) => invoke<RecentEngagement[]>('forget_recent_engagement', { path }),
  workloads: () => invoke<WorkloadInfo[]>('list_workloads'),
  addWorkload: (name: string, description: string) => invoke<WorkloadInfo[]>('add_workload', { name, description }),
  summary: () => invoke<EngagementSummary>('engagement_summary'),
  previewImport: (path: string, choices: ImportChoices) =>
    invoke<ImportPreview>('preview_import', { path, choices }),
  /** `expectedRows`: what the dry run read, the total of the storing step's bar. */
  importSheet: (path: string, choices: ImportChoices, expectedRows: number | null, onProgress: (p: Progress) => void) =>
    runJob<ImportReport>('import_sheet', { path, choices, expectedRows }, onProgress),
  requirements: (query: RequirementQuery) => invoke<RequirementList>('query_requirements', { query }),
  sections: (set: string | null) => invoke<string[]>('requirement_sections', { set }),
  detail: (set: string, ref: string, top: number) => invoke<RequirementDetail>('requirement_detail', { set, ref, top }),
  handOver: (path: string) => invoke<void>('test_hand_over_path', { path }),
  decide: (set: string, ref: string, target: string, accept: boolean) =>
    invoke<void>('decide_mapping', { set, ref, target, accept }),
  searchCatalogue: (text: string, limit: number) => invoke<CatalogueHit[]>('search_catalogue', { text, limit }),
  updateAssessment: (
    set: string,
    ref: string,
    owner: string,
    notes: string,
    coverage: CoverageState | null,
    reason: string,
    workload: string | null = null,
  ) => invoke<RequirementItem>('update_assessment', { set, ref, owner, notes, coverage, reason, workload }),
  suggestAll: (set: string | null, acceptAbove: number, onProgress: (p: Progress) => void) =>
    runJob<{ accepted: number; requirements: number }>('suggest_all', { set, acceptAbove }, onProgress),
  profile: () => invoke<ProfileReport>('landing_zone_profile'),
  setControl: (ref: string, enabled: boolean) => invoke<ProfileChange>('set_control_enabled', { ref, enabled }),
  applyPreset: (preset: string) => invoke<ProfileChange>('apply_preset', { preset }),
  coverage: () => invoke<CoverageSummary>('coverage_summary'),
  exportMatrix: (path: string, format: 'xlsx' | 'csv' | 'json', onProgress: (p: Progress) => void) =>
    runJob<ExportReport>('export_matrix', { path, format }, onProgress),
  importMatrix: (path: string, onProgress: (p: Progress) => void) =>
    runJob<MergeOutcome>('import_matrix', { path }, onProgress),
  auditLog: (offset: number, limit: number) => invoke<{ total: number; entries: AuditEntry[] }>('audit_log', { offset, limit }),
  workplan: () => invoke<WorkplanList>('workplan_list'),
  setWorkplan: (edit: WorkplanEdit) => invoke<WorkplanSetReport>('workplan_set', { edit }),
  readiness: () => invoke<ReadinessList>('readiness_list'),
  setReadiness: (edit: ReadinessEdit) => invoke<ReadinessSetReport>('readiness_set', { edit }),
  stories: () => invoke<StoryList>('stories_list'),
  exportWorkstream: (path: string, file: 'readiness-report' | 'backlog', onProgress: (p: Progress) => void) =>
    runJob<ExportedFile>('export_workstream', { path, file }, onProgress),
};
