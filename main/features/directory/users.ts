import type { Store } from '../../store/open';

/** Accounts the UI offers as assignees (TBL-6) and the queue builder checks against (QUE-7). */
export interface UserSummary {
  id: string;
  login: string;
  displayName: string;
}

export function listUsers(store: Pick<Store, 'db'>): UserSummary[] {
  return store.db
    .prepare(
      'SELECT id, login, display_name AS displayName FROM users WHERE locked = 0 ORDER BY display_name COLLATE NOCASE, login',
    )
    .all() as UserSummary[];
}

/** Cases whose tags are read for the tag list: the most recently updated ones. */
const TAG_SCAN_CASES = 50_000;
const MAX_TAGS = 2_000;

/**
 * Tags in use on cases, for "add tags (existing or new)" (TBL-6) and the filters panel. Reads the
 * tags of the 50,000 most recently updated cases through json_each (a bounded scan, ~0.1 s on a
 * large store) and returns at most 2,000 distinct tags, sorted ignoring case.
 */
export function listCaseTags(store: Pick<Store, 'db'>): string[] {
  return store.db
    .prepare(
      `SELECT DISTINCT j.value AS tag
       FROM (SELECT tags FROM cases ORDER BY updated_at DESC LIMIT ${TAG_SCAN_CASES}) c, json_each(c.tags) j
       WHERE j.type = 'text' AND j.value <> ''
       ORDER BY j.value COLLATE NOCASE
       LIMIT ${MAX_TAGS}`,
    )
    .pluck()
    .all() as string[];
}
