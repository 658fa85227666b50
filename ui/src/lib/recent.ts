// The recently opened engagements. The shell keeps the list in a JSON file in the app's config
// directory (so clearing the webview's data keeps it) and puts an engagement first whenever it
// opens one; these helpers shape what the start screen shows.

export interface RecentEngagement {
  path: string;
  customer: string;
  /** ISO time of the last opening. */
  openedAt: string;
}

export const RECENT_MAX = 8;

/** Puts `entry` first, drops the older entry for the same file, keeps at most `max`. */
export function remember(list: RecentEngagement[], entry: RecentEngagement, max = RECENT_MAX): RecentEngagement[] {
  return [entry, ...list.filter((e) => e.path !== entry.path)].slice(0, max);
}

export function forget(list: RecentEngagement[], path: string): RecentEngagement[] {
  return list.filter((e) => e.path !== path);
}

/** Reads the list the shell sent, ignoring anything malformed rather than failing the start screen. */
export function parseRecent(raw: string | null): RecentEngagement[] {
  if (!raw) return [];
  try {
    return validRecent(JSON.parse(raw));
  } catch {
    return [];
  }
}

/** Keeps the well-formed entries of a value that should be a list of recent engagements. */
export function validRecent(value: unknown): RecentEngagement[] {
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
}
