import { describe, expect, it } from 'vitest';
import {
  dimensionEdit,
  doneShare,
  editFor,
  formOf,
  formProblems,
  gapsOf,
  isDueDate,
  progressLabel,
  splitLines,
  splitRefs,
  subtaskCount,
  withTask,
  type ReadinessDomain,
  type WorkplanList,
  type WorkplanSubtask,
  type WorkplanTask,
} from '../../src/lib/workplan';

function subtask(ref: string, over: Partial<WorkplanSubtask> = {}): WorkplanSubtask {
  return {
    ref,
    task: ref.split('.')[0],
    title: `Subtask ${ref}`,
    text: '',
    msr_id: null,
    policy: false,
    status: 'not_started',
    reason: '',
    owner: '',
    due: null,
    notes: '',
    decision: '',
    enforced_by: [],
    ruled_out: [],
    suggested_controls: [],
    coverage: null,
    artifacts: [],
    removed: false,
    updated_at: null,
    updated_by: null,
    ...over,
  };
}

function task(ref: string, subtasks: WorkplanSubtask[]): WorkplanTask {
  const progress = { not_started: 0, in_progress: 0, done: 0, not_applicable: 0 };
  for (const s of subtasks) progress[s.status] += 1;
  return { ref, title: `Task ${ref}`, text: '', status: 'not_started', progress, owner: '', due: null, notes: '', artifacts: [], subtasks };
}

describe('workplan progress', () => {
  it('counts done against the subtasks that apply', () => {
    const p = { not_started: 1, in_progress: 1, done: 2, not_applicable: 1 };
    expect(progressLabel(p)).toBe('2/4 done');
    expect(doneShare(p)).toBe(0.5);
    expect(doneShare({ not_started: 0, in_progress: 0, done: 0, not_applicable: 3 }), 'nothing applies: 0, not NaN').toBe(0);
  });

  it('folds a subtask the core sent back into its task and recounts the whole plan', () => {
    const list: WorkplanList = {
      tasks: [task('T1', [subtask('T1.S1'), subtask('T1.S2')]), task('T2', [subtask('T2.S1')])],
      progress: { not_started: 3, in_progress: 0, done: 0, not_applicable: 0 },
    };
    const answer = task('T1', [subtask('T1.S1', { status: 'done' })]);
    answer.progress = { not_started: 1, in_progress: 0, done: 1, not_applicable: 0 };
    const next = withTask(list, answer, 'T1.S1');
    expect(next.tasks[0].subtasks.map((s) => s.status)).toEqual(['done', 'not_started']);
    expect(next.tasks[0].progress, 'the task progress is the core’s').toEqual(answer.progress);
    expect(next.progress).toEqual({ not_started: 2, in_progress: 0, done: 1, not_applicable: 0 });
    expect(subtaskCount(next), 'no subtask is lost when the core answers with one').toBe(3);
    expect(next.tasks[1]).toBe(list.tasks[1]);
  });
});

describe('workplan edits', () => {
  it('sends only the fields that changed, and nothing for an unchanged form', () => {
    const s = subtask('T3.S3', { owner: 'Ana', notes: 'n' });
    expect(editFor(s, formOf(s))).toBeNull();
    const f = { ...formOf(s), status: 'in_progress' as const, due: ' 2026-03-31 ' };
    expect(editFor(s, f)).toEqual({ ref: 'T3.S3', status: 'in_progress', due: '2026-03-31' });
  });

  it('sends a decision for a policy subtask only', () => {
    const plain = subtask('T1.S1');
    expect(editFor(plain, { ...formOf(plain), decision: 'x' })).toBeNull();
    const policy = subtask('T3.S3', { policy: true });
    expect(editFor(policy, { ...formOf(policy), decision: 'Root only for break-glass' })).toEqual({
      ref: 'T3.S3',
      decision: 'Root only for break-glass',
    });
  });

  it('clearing a due date sends an empty one (the core clears it)', () => {
    const s = subtask('T1.S1', { due: '2026-01-15' });
    expect(editFor(s, { ...formOf(s), due: '' })).toEqual({ ref: 'T1.S1', due: '' });
  });

  it('refuses not applicable without a reason and a date that is not a day', () => {
    const f = { ...formOf(subtask('T1.S1')), status: 'not_applicable' as const };
    expect(formProblems(f)).toEqual(['Say why the subtask does not apply.']);
    expect(formProblems({ ...f, reason: 'No workloads in scope' })).toEqual([]);
    expect(formProblems({ ...f, reason: 'r', due: '31/03/2026' })[0]).toMatch(/YYYY-MM-DD/);
  });

  it('reads due dates as real days only', () => {
    expect(isDueDate('2026-02-28')).toBe(true);
    expect(isDueDate('2028-02-29'), 'a leap day').toBe(true);
    expect(isDueDate('2026-02-29')).toBe(false);
    expect(isDueDate('2026-13-01')).toBe(false);
    expect(isDueDate('')).toBe(true);
  });
});

describe('readiness', () => {
  const domain: ReadinessDomain = {
    domain: 'iam',
    name: 'IAM',
    task: 'T3',
    progress: { not_started: 12, in_progress: 0, done: 0, not_applicable: 0 },
    dimensions: [
      { dimension: 'policy', current_state: 'none', readiness_state: '', gap: '', updated_at: null, updated_by: null },
      { dimension: 'tools', current_state: '', readiness_state: '', gap: 'No SSO', updated_at: null, updated_by: null },
      { dimension: 'people', current_state: '', readiness_state: '', gap: '  ', updated_at: null, updated_by: null },
    ],
    stories: [],
  };

  it('lists the dimensions that have a gap written down', () => {
    expect(gapsOf(domain).map((d) => d.dimension)).toEqual(['tools']);
  });

  it('an edit of one dimension carries only the texts that changed', () => {
    const stored = domain.dimensions[0];
    expect(dimensionEdit('iam', stored, { current_state: 'none', readiness_state: '', gap: '' })).toBeNull();
    expect(dimensionEdit('iam', stored, { current_state: 'none', readiness_state: 'SSO for all', gap: 'no SSO' })).toEqual({
      domain: 'iam',
      dimension: 'policy',
      readiness_state: 'SSO for all',
      gap: 'no SSO',
    });
  });

  it('splits acceptance criteria by line and controls by commas or spaces', () => {
    expect(splitLines('one\r\n\n  two  \n')).toEqual(['one', 'two']);
    expect(splitRefs('ct:A, services:kms\nct:B;;')).toEqual(['ct:A', 'services:kms', 'ct:B']);
  });
});
