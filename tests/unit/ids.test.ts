import { describe, expect, it } from 'vitest';
import { newId } from '../../main/store/ids';

/**
 * newId(): UUIDv7 from pooled random bytes (the pool holds 4,096 ids' worth, 16 bytes each) with
 * its own millisecond/sequence state (RFC 9562 method 1, as the `uuid` package keeps it).
 */

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const IDS_PER_POOL = 4_096;

/** The 48-bit Unix millisecond time of a UUIDv7 (its first 12 hex digits). */
function timeOf(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Bytes 11-15 of the UUID: taken from the random pool as they are. */
function randomTail(id: string): string {
  return id.slice(-10);
}

/** The 32-bit sequence of a UUIDv7 as `uuid` lays it out in bytes 6-10 (around version/variant). */
function sequenceOf(id: string): number {
  const byte = (at: number) => parseInt(id.slice(at, at + 2), 16);
  const high = parseInt(id[15]!, 16); // byte 6 low nibble (byte 6 high nibble is the version)
  return (
    high * 2 ** 28 +
    byte(16) * 2 ** 20 + // byte 7
    (byte(19) & 0x3f) * 2 ** 14 + // byte 8 (its top two bits are the variant)
    byte(21) * 2 ** 6 + // byte 9
    (byte(24) >> 2) // byte 10 (its low two bits are random)
  );
}

function draw(n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = newId();
  return ids;
}

describe('newId', () => {
  it('gives 100,000 unique, strictly increasing UUIDv7 strings stamped with the current time', () => {
    const before = Date.now();
    const ids = draw(100_000);
    const after = Date.now();

    expect(new Set(ids).size).toBe(ids.length);
    const malformed = ids.filter((id) => !UUID_V7.test(id));
    expect(malformed).toEqual([]);
    let outOfOrder = 0;
    for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) outOfOrder++;
    expect(outOfOrder).toBe(0);

    // The sequence may carry the clock a little ahead within a busy millisecond, never behind.
    const slackMs = 5_000;
    for (const id of [ids[0]!, ids[ids.length >> 1]!, ids[ids.length - 1]!]) {
      expect(timeOf(id)).toBeGreaterThanOrEqual(before - slackMs);
      expect(timeOf(id)).toBeLessThanOrEqual(after + slackMs);
    }
    const times = ids.map(timeOf);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(before - slackMs);
    expect(Math.max(...times)).toBeLessThanOrEqual(after + slackMs);
  });

  it('draws fresh random bytes after each pool of 4,096 ids (no repeated tail)', () => {
    const ids = draw(3 * IDS_PER_POOL + 17);
    // Ids one or two pools apart use the same pool offset: a pool reused instead of refilled
    // would repeat their random bytes.
    let repeatedAtPoolDistance = 0;
    for (let i = 0; i + IDS_PER_POOL < ids.length; i++) {
      if (randomTail(ids[i]!) === randomTail(ids[i + IDS_PER_POOL]!)) repeatedAtPoolDistance++;
      if (
        i + 2 * IDS_PER_POOL < ids.length &&
        randomTail(ids[i]!) === randomTail(ids[i + 2 * IDS_PER_POOL]!)
      )
        repeatedAtPoolDistance++;
    }
    expect(repeatedAtPoolDistance).toBe(0);
    // The whole 48-bit tail (6 sequence bits and 42 random bits) is unique across the pools.
    const tails = ids.map((id) => id.slice(-12));
    expect(new Set(tails).size).toBe(ids.length);
    // Each id's 16 random bytes are its own: consecutive ids never share their tail either.
    for (let i = 1; i < ids.length; i++)
      expect(randomTail(ids[i]!)).not.toBe(randomTail(ids[i - 1]!));
  });

  it('keeps its own order when ids come faster than the clock ticks', () => {
    // Many ids share a millisecond: the 32-bit sequence orders them, and the version and
    // variant bits stay intact when the sequence grows.
    const ids = draw(20_000);
    const perMs = new Map<number, number>();
    for (const id of ids) perMs.set(timeOf(id), (perMs.get(timeOf(id)) ?? 0) + 1);
    expect(Math.max(...perMs.values())).toBeGreaterThan(1);
    for (let i = 1; i < ids.length; i++) {
      if (timeOf(ids[i]!) === timeOf(ids[i - 1]!)) {
        expect(sequenceOf(ids[i]!)).toBe((sequenceOf(ids[i - 1]!) + 1) % 2 ** 32);
      }
    }
  });
});
