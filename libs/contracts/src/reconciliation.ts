import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

// Reconciliation buckets: a partner and the service each hash their set of
// (restriction id, version) per bucket and compare. Both definitions are
// reproducible in SQL (CRC32, SHA2, BIT_XOR) and in any language.

export const RECONCILIATION_BUCKETS = 256;

export function bucketOf(restrictionId: string, buckets = RECONCILIATION_BUCKETS): number {
  return crc32(restrictionId) % buckets;
}

/** XOR of the first 64 bits of SHA-256("<id>:<version>") over the set, as 16 hex digits, with the count. */
export interface BucketDigest {
  count: number;
  checksum: string;
}

export function entryHash(restrictionId: string, version: number): bigint {
  return BigInt(`0x${createHash('sha256').update(`${restrictionId}:${version}`).digest('hex').slice(0, 16)}`);
}

export function bucketDigests(entries: Iterable<{ id: string; version: number }>, buckets = RECONCILIATION_BUCKETS): Map<number, BucketDigest> {
  const acc = new Map<number, { count: number; xor: bigint }>();
  for (const { id, version } of entries) {
    const bucket = bucketOf(id, buckets);
    const current = acc.get(bucket) ?? { count: 0, xor: 0n };
    acc.set(bucket, { count: current.count + 1, xor: current.xor ^ entryHash(id, version) });
  }
  return new Map([...acc].map(([bucket, { count, xor }]) => [bucket, { count, checksum: xor.toString(16).padStart(16, '0') }]));
}
