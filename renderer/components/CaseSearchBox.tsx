import { useState, type RefObject } from 'react';
import { Search, X } from 'lucide-react';
import { parseLucene, printableQuery } from '../../shared/domain/lucene';

export interface QueryProblem {
  message: string;
  position?: { offset: number; length: number };
}

export const SEARCH_PLACEHOLDER = 'severity:(High OR Critical) AND assignee_name:"Mei Tanaka"';

/**
 * Lucene search over the case view (TBL-4). Enter applies, Esc clears. The query is checked here
 * first for instant feedback, then by main (authoritative); a bad query is shown with the wrong
 * part marked, and the table keeps its previous rows.
 */
export function CaseSearchBox({
  applied,
  onApply,
  inputRef,
}: {
  applied: string;
  /** resolves null when applied, or the problem main found */
  onApply: (query: string) => Promise<QueryProblem | null>;
  inputRef?: RefObject<HTMLInputElement | null>;
}) {
  const [text, setText] = useState(applied);
  const [problem, setProblem] = useState<{ query: string; problem: QueryProblem } | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = async (query: string) => {
    const q = query.trim();
    const local = parseLucene(q);
    if (!local.ok) {
      setProblem({ query: q, problem: { message: local.error.message, position: local.error } });
      return;
    }
    setBusy(true);
    const found = await onApply(q);
    setBusy(false);
    setProblem(found ? { query: q, problem: found } : null);
  };

  return (
    <div className="case-search">
      <div className={`search-box ${problem ? 'invalid' : ''} ${applied ? 'applied' : ''}`}>
        <Search size={14} aria-hidden className="muted" />
        <input
          ref={inputRef}
          type="search"
          aria-label="Search cases (Lucene)"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'case-search-error' : 'case-search-help'}
          placeholder={SEARCH_PLACEHOLDER}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void apply(text);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              if (text === '' && !applied) {
                e.currentTarget.blur();
                return;
              }
              setText('');
              if (applied) void apply('');
              else setProblem(null);
            }
          }}
        />
        {busy && <span className="muted small">searching…</span>}
        {text && (
          <button
            type="button"
            className="icon-btn small"
            aria-label="Clear search"
            onClick={() => {
              setText('');
              if (applied) void apply('');
              else setProblem(null);
            }}
          >
            <X size={12} aria-hidden />
          </button>
        )}
        <kbd className="search-kbd" aria-hidden>
          /
        </kbd>
      </div>
      <span id="case-search-help" hidden>
        Lucene syntax: field:value, quoted phrases, * and ? wildcards, AND, OR, NOT, parentheses,
        ranges such as score:[50 TO 80], _exists_:assignee. Enter applies, Escape clears.
      </span>
      {problem && (
        <div id="case-search-error" className="search-error" role="alert">
          <span>{problem.problem.message}</span>
          <QueryWithMark query={problem.query} position={problem.problem.position} />
        </div>
      )}
    </div>
  );
}

function QueryWithMark({
  query,
  position,
}: {
  query: string;
  position?: { offset: number; length: number };
}) {
  if (!position || query === '') return null;
  // A refused control character shows as a symbol (␀), one for one, so the mark stays on it.
  const shown = printableQuery(query);
  const start = Math.min(Math.max(0, position.offset), query.length);
  const end = Math.min(query.length, start + Math.max(0, position.length));
  return (
    <code className="search-error-query" aria-label="Where the query is wrong">
      {shown.slice(0, start)}
      {end > start ? (
        <mark>{shown.slice(start, end)}</mark>
      ) : (
        <mark className="caret" aria-label="here">
          {' '}
        </mark>
      )}
      {shown.slice(end)}
    </code>
  );
}
