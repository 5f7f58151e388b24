import { v7 as uuidv7 } from 'uuid';

/** UUIDv7 primary keys: time-ordered, so inserts append to the index. */
export function newId(): string {
  return uuidv7();
}

/** A UUIDv7 from a given time and random bytes, for deterministic generated data. */
export function idAt(msecs: number, random: Uint8Array): string {
  return uuidv7({ msecs, random });
}
