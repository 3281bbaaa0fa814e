import { bucketDigests, bucketOf, RECONCILIATION_BUCKETS } from '@cd/contracts';
import type { BucketDigestEntry } from './registry-client';
import type { RestrictionStore, StoredEntry } from './store';

/** The applied set as the registry counts it: restrictions whose latest applied state is ACTIVE, as (id, version). */
export async function activeEntries(store: RestrictionStore): Promise<StoredEntry[]> {
  return (await store.entries()).filter((entry) => entry.status === 'ACTIVE');
}

/** Non-empty buckets of the applied set, ascending (buckets not listed count as empty). */
export async function activeDigests(store: RestrictionStore, buckets = RECONCILIATION_BUCKETS): Promise<BucketDigestEntry[]> {
  const digests = bucketDigests(await activeEntries(store), buckets);
  return [...digests].sort(([a], [b]) => a - b).map(([bucket, digest]) => ({ bucket, ...digest }));
}

export async function entriesInBuckets(store: RestrictionStore, buckets: Iterable<number>): Promise<StoredEntry[]> {
  const wanted = new Set(buckets);
  return (await store.entries()).filter((entry) => wanted.has(bucketOf(entry.id)));
}
