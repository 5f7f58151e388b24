import { ftsTokens } from '../../shared/domain/lucene';

/**
 * `cases.search_text` (TBL-4): the desktop searches bare terms with SQLite FTS5 (unicode61
 * tokens of name, description, what, who and tags); the server keeps the same tokens, made by
 * the same ftsTokens, as ` tok tok ` per field between `|`. A phrase is then
 * `LIKE '% a b %'` and a prefix phrase `LIKE '% a b%'` (store/sql/postgres-dialect.ts): token
 * for token what FTS5 matches, and a phrase never spans two fields. A trigram index serves it.
 */
export interface SearchableCase {
  name: string;
  description: string | null;
  what: string | null;
  who: string | null;
  tags: readonly string[];
}

export function caseSearchText(row: SearchableCase): string {
  const fields = [
    row.name,
    row.description ?? '',
    row.what ?? '',
    row.who ?? '',
    row.tags.join(' '),
  ];
  return fields.map((text) => ` ${ftsTokens(text).join(' ')} `).join('|');
}
