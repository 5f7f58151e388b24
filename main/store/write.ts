/**
 * The one write path (rule 5): `writeTransaction` runs a function with a MutationWriter in one
 * IMMEDIATE transaction (waiting its turn for the write lock: ./lock.ts); every change it makes
 * is recorded once in `activity` (audit) and once in `outbox` (sync). See main/store/mutations/.
 */
export { setWriteLockWaitListener, WriteLockTimeoutError } from './lock';
export { writeTransaction, type WriteTransactionOptions } from './mutations/transaction';
export { MutationWriter, MutationError, type MutationOptions } from './mutations/writer';
