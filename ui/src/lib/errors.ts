// Errors from the shell arrive as `{ code, message, detail }`; anything else is shown as text.

export interface ShellError {
  code: string;
  message: string;
  /** Longer context: the file, sheet, row and column when the core knows them, or a cause chain. */
  detail?: string | null;
}

export function toShellError(e: unknown): ShellError {
  if (typeof e === 'object' && e !== null && typeof (e as ShellError).message === 'string') {
    const s = e as ShellError;
    return { code: typeof s.code === 'string' ? s.code : 'error', message: s.message, detail: s.detail ?? null };
  }
  if (typeof e === 'string') return { code: 'error', message: e, detail: null };
  if (e instanceof Error) return { code: 'error', message: e.message, detail: null };
  return { code: 'error', message: 'Something went wrong, and the error had no message.', detail: null };
}

export function isCancelled(e: unknown): boolean {
  return toShellError(e).code === 'cancelled';
}
