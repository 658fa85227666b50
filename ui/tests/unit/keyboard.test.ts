import { describe, expect, it } from 'vitest';
import { isEditableTarget, mappingAction, nextUndecided } from '../../src/lib/keyboard';

describe('mappingAction', () => {
  it('accepts with a and rejects with r', () => {
    expect(mappingAction({ key: 'a', inEditable: false })).toBe('accept');
    expect(mappingAction({ key: 'r', inEditable: false })).toBe('reject');
  });

  it('ignores keys typed into a field so notes never accept a suggestion', () => {
    expect(mappingAction({ key: 'a', inEditable: true })).toBeNull();
  });

  it('leaves modified keys to the system (ctrl+a selects all)', () => {
    expect(mappingAction({ key: 'a', ctrlKey: true, inEditable: false })).toBeNull();
    expect(mappingAction({ key: 'r', metaKey: true, inEditable: false })).toBeNull();
  });

  it('moves between suggestions and requirements', () => {
    expect(mappingAction({ key: 'ArrowDown', inEditable: false })).toBe('next-suggestion');
    expect(mappingAction({ key: 'k', inEditable: false })).toBe('previous-suggestion');
    expect(mappingAction({ key: 'n', inEditable: false })).toBe('next-requirement');
    expect(mappingAction({ key: '/', inEditable: false })).toBe('search-catalogue');
  });

  it('returns null for keys it does not own', () => {
    expect(mappingAction({ key: 'q', inEditable: false })).toBeNull();
  });
});

describe('nextUndecided', () => {
  it('goes forward to the next undecided suggestion', () => {
    expect(nextUndecided([true, true, false, false], 1)).toBe(2);
  });

  it('wraps to an earlier undecided one when the rest are decided', () => {
    expect(nextUndecided([false, true, true], 2)).toBe(0);
  });

  it('says the requirement is done when every suggestion is decided', () => {
    expect(nextUndecided([true, true], 0)).toBeNull();
    expect(nextUndecided([], 0)).toBeNull();
  });
});

describe('isEditableTarget', () => {
  it('knows inputs and contenteditable elements', () => {
    expect(isEditableTarget({ tagName: 'input' } as unknown as EventTarget)).toBe(true);
    expect(isEditableTarget({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isEditableTarget({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(isEditableTarget(null)).toBe(false);
  });
});
