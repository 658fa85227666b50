import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/lib/api';
import {
  cancelledMessage,
  describeProgress,
  finishedProgress,
  formatCount,
  isFinished,
  laterProgress,
  progressShare,
} from '../../src/lib/progress';

// Messages as the shell's export sends them (commands/export.rs, export_progress).
const exportAt = (key: string, step: number, stage: string, done: number, total: number, unit = ''): Progress => ({
  stage,
  key,
  step,
  steps: 5,
  done,
  total,
  unit,
});

describe('a job’s progress in words', () => {
  it('names the step of the export, its count and the share of the whole job', () => {
    const p = exportAt('rows', 1, 'Deriving coverage', 256, 1000, 'rows');
    expect(describeProgress(p)).toEqual({
      headline: 'Step 2 of 5: Deriving coverage',
      count: '256 of 1,000 rows',
      // one step of five done (20%) plus a quarter of the second (5%)
      percent: 25,
      finished: false,
    });
  });

  it('shows no count for an uncounted step and an open-ended count without a total', () => {
    expect(describeProgress(exportAt('writing', 3, 'Writing the matrix', 0, 1))).toEqual({
      headline: 'Step 4 of 5: Writing the matrix',
      count: '',
      percent: 60, // three steps of five done; this one is not counted
      finished: false,
    });
    const reading: Progress = { stage: 'Storing requirements', key: 'storing', step: 1, steps: 3, done: 12000, total: 0, unit: 'rows' };
    expect(describeProgress(reading)).toMatchObject({ count: '12,000 rows', percent: 33 });
  });

  it('reads a one-stage job (steps 0 of 1) without a step number', () => {
    const p: Progress = { stage: 'Reading, checking and merging the matrix', key: 'working', step: 0, steps: 1, done: 0, total: 0, unit: '' };
    expect(describeProgress(p)).toEqual({ headline: 'Reading, checking and merging the matrix', count: '', percent: 0, finished: false });
  });

  it('says Done at 100% once the job finished, whatever its last count', () => {
    expect(describeProgress(finishedProgress(5))).toEqual({ headline: 'Done', count: '', percent: 100, finished: true });
    expect(isFinished(finishedProgress(5))).toBe(true);
    expect(finishedProgress(0).steps).toBe(1);
    expect(describeProgress(null)).toEqual({ headline: 'Starting…', count: '', percent: 0, finished: false });
  });

  it('never goes past 100% nor below 0', () => {
    expect(progressShare(exportAt('rows', 1, 'x', 5000, 1000))).toBeCloseTo(0.4);
    expect(progressShare(exportAt('saving', 4, 'x', 1, 1))).toBe(1);
    expect(progressShare({ stage: 'x', key: 'x', step: 0, steps: 0, done: 3, total: 4, unit: '' })).toBe(0.75);
    expect(progressShare(null)).toBe(0);
  });

  it('groups thousands without depending on the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(100000)).toBe('100,000');
    expect(formatCount(1234567.8)).toBe('1,234,567');
    expect(formatCount(-3)).toBe('0');
  });
});

describe('which message the window keeps', () => {
  it('keeps a later step over an earlier one that arrives late', () => {
    const gaps = exportAt('gap_stories', 2, 'Proposing gap stories', 10, 40, 'gaps');
    const rows = exportAt('rows', 1, 'Deriving coverage', 900, 1000, 'rows');
    expect(laterProgress(gaps, rows)).toBe(gaps);
    expect(laterProgress(rows, gaps)).toBe(gaps);
    expect(laterProgress(null, rows)).toBe(rows);
  });

  it('keeps the higher count within a step, and Done once finished', () => {
    const a = exportAt('gap_stories', 2, 'Proposing gap stories', 30, 40, 'gaps');
    const b = exportAt('gap_stories', 2, 'Proposing gap stories', 20, 40, 'gaps');
    expect(laterProgress(a, b)).toBe(a);
    expect(laterProgress(b, a)).toBe(a);
    const done = finishedProgress(5);
    expect(laterProgress(done, exportAt('saving', 4, 'Saving the file', 1, 1))).toBe(done);
  });

  it('says what a cancel left behind, by job', () => {
    expect(cancelledMessage('export')).toBe('Export cancelled: no file was written.');
    expect(cancelledMessage('merge')).toBe('Merge cancelled: nothing changed.');
    expect(cancelledMessage('import')).toBe('Import cancelled: nothing was stored.');
    expect(cancelledMessage('suggest')).toBe('Suggest cancelled: nothing was accepted.');
    expect(cancelledMessage('file')).toBe('Cancelled: no file was written.');
  });
});
