import type { MutationWriter } from './mutations/writer';

/**
 * Case numbers (SYN-6), from one place. With no server a store numbers its cases itself, one
 * after another; `numberIsProvisional` says whether a server has yet to confirm the number (sync
 * will allocate provisional numbers here and swap in the server's canonical ones).
 */
export interface CaseNumber {
  number: number;
  numberIsProvisional: boolean;
}

const nextInTransaction = new WeakMap<MutationWriter, number>();

/** The next case number within this write transaction (the write lock makes it unique). */
export function allocateCaseNumber(tx: MutationWriter): CaseNumber {
  let next = nextInTransaction.get(tx);
  if (next === undefined) {
    // max(number) is one seek of cases_number_uq
    next = (
      tx.read.prepare('SELECT coalesce(max(number), 0) + 1 AS n FROM cases').get() as { n: number }
    ).n;
  }
  nextInTransaction.set(tx, next + 1);
  return { number: next, numberIsProvisional: false };
}
