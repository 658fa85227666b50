// How a running job's progress reads in the window: which step of how many, what it is doing,
// how far the step has come, and one share for the bar across all steps.
import type { Progress } from './api';

export interface ProgressView {
  /** "Step 2 of 5: Deriving coverage", or "Done" once the job finished. */
  headline: string;
  /** "256 of 1,000 rows", "4,000 rows" when the end is unknown, or "" for an uncounted step. */
  count: string;
  /** 0 to 100, across every step of the job. */
  percent: number;
  finished: boolean;
}

/** A count with thousands separators, the same in every engine (no locale involved). */
export function formatCount(n: number): string {
  const whole = Math.max(0, Math.floor(n));
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function isFinished(p: Progress | null): boolean {
  return p !== null && p.steps > 0 && p.step >= p.steps;
}

/**
 * The share of the whole job done, 0 to 1: the steps finished, plus the share of the current
 * step when it is counted (an open-ended count adds nothing until the step ends).
 */
export function progressShare(p: Progress | null): number {
  if (!p) return 0;
  if (p.steps <= 0) return p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const within = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  return Math.min(1, Math.max(0, (p.step + within) / p.steps));
}

export function describeProgress(p: Progress | null): ProgressView {
  if (!p) return { headline: 'Starting…', count: '', percent: 0, finished: false };
  const finished = isFinished(p);
  const percent = Math.floor(progressShare(p) * 100);
  if (finished) return { headline: p.stage || 'Done', count: '', percent: 100, finished };
  const headline = p.steps > 1 ? `Step ${p.step + 1} of ${p.steps}: ${p.stage}` : p.stage;
  let count = '';
  if (p.unit && p.total > 0) count = `${formatCount(Math.min(p.done, p.total))} of ${formatCount(p.total)} ${p.unit}`;
  else if (p.unit && p.done > 0) count = `${formatCount(p.done)} ${p.unit}`;
  return { headline, count, percent, finished };
}

/**
 * The report to show when `next` arrives after `shown`: a job that finished stays finished, and
 * an earlier step never replaces a later one (a message can arrive after the job's answer).
 */
export function laterProgress(shown: Progress | null, next: Progress): Progress {
  if (!shown) return next;
  if (isFinished(shown)) return shown;
  if (next.steps === shown.steps && next.step < shown.step) return shown;
  if (next.step === shown.step && next.total === shown.total && next.done < shown.done) return shown;
  return next;
}

/** The report the window shows once a job's answer came back: the job is done. */
export function finishedProgress(steps: number): Progress {
  return { stage: 'Done', key: 'done', step: Math.max(1, steps), steps: Math.max(1, steps), done: 0, total: 0, unit: '' };
}

/** What the window says when the user cancelled a job, by what the job was. */
export function cancelledMessage(job: 'export' | 'merge' | 'import' | 'suggest' | 'file'): string {
  switch (job) {
    case 'export':
      return 'Export cancelled: no file was written.';
    case 'merge':
      return 'Merge cancelled: nothing changed.';
    case 'import':
      return 'Import cancelled: nothing was stored.';
    case 'suggest':
      return 'Suggest cancelled: nothing was accepted.';
    case 'file':
      return 'Cancelled: no file was written.';
  }
}
