// The recently opened engagements, kept by the front end (no file IO in the shell for it).

export interface RecentEngagement {
  path: string;
  customer: string;
  /** ISO time of the last opening. */
  openedAt: string;
}

export const RECENT_KEY = 'crosswalk.recent';
export const RECENT_MAX = 8;

/** Puts `entry` first, drops the older entry for the same file, keeps at most `max`. */
export function remember(list: RecentEngagement[], entry: RecentEngagement, max = RECENT_MAX): RecentEngagement[] {
  return [entry, ...list.filter((e) => e.path !== entry.path)].slice(0, max);
}

export function forget(list: RecentEngagement[], path: string): RecentEngagement[] {
  return list.filter((e) => e.path !== path);
}

/** Reads the stored list, ignoring anything malformed rather than failing the start screen. */
export function parseRecent(raw: string | null): RecentEngagement[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value
      .filter(
        (e): e is RecentEngagement =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as RecentEngagement).path === 'string' &&
          typeof (e as RecentEngagement).customer === 'string' &&
          typeof (e as RecentEngagement).openedAt === 'string',
      )
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

export function loadRecent(storage: Pick<Storage, 'getItem'>): RecentEngagement[] {
  return parseRecent(storage.getItem(RECENT_KEY));
}

export function saveRecent(storage: Pick<Storage, 'setItem'>, list: RecentEngagement[]): void {
  storage.setItem(RECENT_KEY, JSON.stringify(list));
}
