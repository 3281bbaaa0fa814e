import { uuidv7 } from './ids';
import { bucketDigests, bucketOf, entryHash, RECONCILIATION_BUCKETS } from './reconciliation';

// The same definitions are computed in SQL by the registry (CRC32 for the bucket,
// SHA2 + BIT_XOR for the checksum). The pinned vectors below were checked against
// MariaDB:
//   SELECT CRC32('00000000-0000-7000-8000-000000000001') % 256;                         -- 193
//   SELECT LOWER(LPAD(HEX(CAST(CONV(SUBSTRING(SHA2(
//            '00000000-0000-7000-8000-000000000001:1', 256), 1, 16), 16, 10) AS UNSIGNED)), 16, '0'));
//                                                                                       -- e65963e997585c3d

const KNOWN_ID = '00000000-0000-7000-8000-000000000001';

function someEntries(n: number): { id: string; version: number }[] {
  return Array.from({ length: n }, (_, i) => ({ id: uuidv7(Date.UTC(2025, 0, 1) + i * 1000), version: 1 + (i % 5) }));
}

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('bucketOf', () => {
  it('is CRC-32 (IEEE, as SQL CRC32) modulo the bucket count', () => {
    expect(bucketOf('123456789', 2 ** 32)).toBe(0xcbf43926); // the CRC-32 check value
    expect(bucketOf('123456789')).toBe(0xcbf43926 % 256);
    expect(bucketOf(KNOWN_ID)).toBe(193);
  });

  it('is stable and in range', () => {
    const entries = someEntries(2000);
    for (const { id } of entries) {
      const bucket = bucketOf(id);
      expect(Number.isInteger(bucket)).toBe(true);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(RECONCILIATION_BUCKETS);
      expect(bucketOf(id)).toBe(bucket);
      expect(bucketOf(id, 16)).toBeLessThan(16);
    }
    expect(bucketOf('')).toBe(0);
  });

  it('spreads ids over the buckets', () => {
    const used = new Set(someEntries(4000).map(({ id }) => bucketOf(id)));
    expect(used.size).toBeGreaterThan(RECONCILIATION_BUCKETS * 0.9);
  });
});

describe('entryHash', () => {
  it('matches the pinned vector (first 64 bits of SHA-256("<id>:<version>"))', () => {
    expect(entryHash(KNOWN_ID, 1)).toBe(0xe65963e997585c3dn);
    expect(entryHash(KNOWN_ID, 1).toString(16)).toBe('e65963e997585c3d');
    expect(entryHash(KNOWN_ID, 2)).toBe(0xfe03f417e4461cf7n);
  });

  it('differs by version and by id', () => {
    expect(entryHash(KNOWN_ID, 1)).not.toBe(entryHash(KNOWN_ID, 2));
    expect(entryHash(KNOWN_ID, 1)).not.toBe(entryHash('00000000-0000-7000-8000-000000000002', 1));
    expect(entryHash(KNOWN_ID, 1)).toBeLessThan(2n ** 64n);
  });
});

describe('bucketDigests', () => {
  it('matches the pinned vector for a one- and two-entry bucket', () => {
    expect(bucketDigests([{ id: KNOWN_ID, version: 1 }])).toEqual(new Map([[193, { count: 1, checksum: 'e65963e997585c3d' }]]));
    // Two versions of one id do not occur in a real set, but they pin the XOR.
    expect(bucketDigests([{ id: KNOWN_ID, version: 1 }, { id: KNOWN_ID, version: 2 }]).get(193)).toEqual({ count: 2, checksum: '185a97fe731e40ca' });
  });

  it('does not depend on the order of the entries', () => {
    const entries = someEntries(1500);
    const expected = bucketDigests(entries);
    for (const seed of [1, 2, 3]) {
      const digests = bucketDigests(shuffled(entries, seed));
      expect(digests).toEqual(expected);
    }
    expect(bucketDigests([...entries].reverse())).toEqual(expected);
  });

  it('changes exactly the bucket whose entry changed version', () => {
    const entries = someEntries(1500);
    const before = bucketDigests(entries);
    const target = entries[737];
    const after = bucketDigests(entries.map((e) => (e === target ? { ...e, version: e.version + 1 } : e)));
    const changed = [...after].filter(([bucket, digest]) => before.get(bucket)?.checksum !== digest.checksum).map(([bucket]) => bucket);
    expect(changed).toEqual([bucketOf(target.id)]);
    expect(after.get(bucketOf(target.id))?.count).toBe(before.get(bucketOf(target.id))?.count);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });

  it('counts entries per bucket, and adding or removing one changes its count and checksum', () => {
    const entries = someEntries(1500);
    const digests = bucketDigests(entries);
    expect([...digests.values()].reduce((sum, d) => sum + d.count, 0)).toBe(entries.length);
    for (const [bucket, digest] of digests) expect(digest.count).toBe(entries.filter((e) => bucketOf(e.id) === bucket).length);

    const extra = { id: uuidv7(Date.UTC(2026, 0, 1)), version: 1 };
    const bucket = bucketOf(extra.id);
    const withExtra = bucketDigests([...entries, extra]);
    expect(withExtra.get(bucket)?.count).toBe((digests.get(bucket)?.count ?? 0) + 1);
    expect(withExtra.get(bucket)?.checksum).not.toBe(digests.get(bucket)?.checksum);

    const removed = entries[10];
    const without = bucketDigests(entries.filter((e) => e !== removed));
    expect(without.get(bucketOf(removed.id))?.count ?? 0).toBe((digests.get(bucketOf(removed.id))?.count ?? 0) - 1);
  });

  it('lists only non-empty buckets, with 16-hex-digit checksums', () => {
    expect(bucketDigests([])).toEqual(new Map());
    for (const digest of bucketDigests(someEntries(300)).values()) {
      expect(digest.count).toBeGreaterThan(0);
      expect(digest.checksum).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('takes any bucket count', () => {
    const digests = bucketDigests(someEntries(200), 4);
    expect([...digests.keys()].every((bucket) => bucket >= 0 && bucket < 4)).toBe(true);
    expect([...digests.values()].reduce((sum, d) => sum + d.count, 0)).toBe(200);
  });
});
