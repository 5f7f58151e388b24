/**
 * SQLite's parser nests a chain `a AND b AND c` one level per operand and refuses trees deeper
 * than 1,000; parentheses add no level. This estimates that height from the SQL text (the AND
 * of BETWEEN counts too, so it over-estimates).
 */
export function sqlChainHeight(sql: string): number {
  const heights: { operators: number; inner: number }[] = [{ operators: 0, inner: 0 }];
  for (const token of sql.match(/\(|\)|\bAND\b|\bOR\b|'[^']*'/g) ?? []) {
    if (token === '(') heights.push({ operators: 0, inner: 0 });
    else if (token === ')') {
      const closed = heights.pop() as { operators: number; inner: number };
      const outer = heights.at(-1) as { operators: number; inner: number };
      outer.inner = Math.max(outer.inner, closed.operators + closed.inner);
    } else if (token === 'AND' || token === 'OR')
      (heights.at(-1) as { operators: number }).operators++;
  }
  const top = heights[0] as { operators: number; inner: number };
  return top.operators + top.inner;
}
