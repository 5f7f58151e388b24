import { v7 as uuidv7 } from 'uuid';

/** UUIDv7 row ids, as on the desktop (main/store/ids.ts): time-ordered, so inserts append. */
export function newId(): string {
  return uuidv7();
}
