import { describe, expect, it } from 'vitest';
import { forget, parseRecent, remember, validRecent, type RecentEngagement } from '../../src/lib/recent';

const e = (path: string, at = '2026-01-01T00:00:00Z'): RecentEngagement => ({ path, customer: 'ACME', openedAt: at });

describe('recent engagements', () => {
  it('puts the latest first and never lists a file twice', () => {
    const list = remember(remember([e('/a')], e('/b')), e('/a', '2026-02-01T00:00:00Z'));
    expect(list.map((x) => x.path)).toEqual(['/a', '/b']);
    expect(list[0].openedAt, 'the re-opened entry carries its new time').toBe('2026-02-01T00:00:00Z');
  });

  it('keeps at most the given number', () => {
    let list: RecentEngagement[] = [];
    for (let i = 0; i < 12; i++) list = remember(list, e(`/f${i}`), 5);
    expect(list.map((x) => x.path)).toEqual(['/f11', '/f10', '/f9', '/f8', '/f7']);
  });

  it('forgets a file that is gone', () => {
    expect(forget([e('/a'), e('/b')], '/a').map((x) => x.path)).toEqual(['/b']);
  });

  it('survives a corrupted stored list instead of breaking the start screen', () => {
    expect(parseRecent('{not json')).toEqual([]);
    expect(parseRecent('{"path":"/a"}')).toEqual([]);
    expect(parseRecent('[{"path":"/a","customer":"X","openedAt":"t"},{"path":3}]')).toEqual([
      { path: '/a', customer: 'X', openedAt: 't' },
    ]);
  });

  it('keeps only well-formed entries of what the shell sent, at most eight', () => {
    expect(validRecent(null)).toEqual([]);
    expect(validRecent({ path: '/a' })).toEqual([]);
    const many = Array.from({ length: 10 }, (_, i) => e(`/f${i}`));
    expect(validRecent([{ path: '/bad' }, ...many]).map((x) => x.path)).toEqual(many.slice(0, 8).map((x) => x.path));
  });
});
