// Keyboard handling of the mapping panel, as a pure function so it is tested without a window.

export type MappingAction =
  | 'accept'
  | 'reject'
  | 'next-suggestion'
  | 'previous-suggestion'
  | 'next-requirement'
  | 'previous-requirement'
  | 'search-catalogue';

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** True while the user types in an input, textarea, select or contenteditable element. */
  inEditable: boolean;
}

const plain: Record<string, MappingAction> = {
  a: 'accept',
  Enter: 'accept',
  r: 'reject',
  x: 'reject',
  j: 'next-suggestion',
  ArrowDown: 'next-suggestion',
  k: 'previous-suggestion',
  ArrowUp: 'previous-suggestion',
  n: 'next-requirement',
  p: 'previous-requirement',
  '/': 'search-catalogue',
};

/** The action a key press asks for, or null when the key belongs to someone else. */
export function mappingAction(input: KeyInput): MappingAction | null {
  // Typing a note must never accept a suggestion, and browser/system shortcuts stay theirs.
  if (input.inEditable || input.ctrlKey || input.metaKey || input.altKey) return null;
  return plain[input.key] ?? null;
}

/**
 * Where the selection goes after a decision: the next undecided suggestion after `index`,
 * else the first undecided one before it, else null (the requirement is done: move to the next row).
 */
export function nextUndecided(decided: boolean[], index: number): number | null {
  for (let i = index + 1; i < decided.length; i++) if (!decided[i]) return i;
  for (let i = 0; i < Math.min(index, decided.length); i++) if (!decided[i]) return i;
  return null;
}

export function isEditableTarget(target: EventTarget | null): boolean {
  if (!target || typeof target !== 'object') return false;
  const el = target as { tagName?: string; isContentEditable?: boolean };
  const tag = (el.tagName ?? '').toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable === true;
}
