import { bucketDigests, bucketOf, generateSigningKeyPair } from '@cd/contracts';
import { applyIfNewer } from './apply';
import { activeDigests, entriesInBuckets } from './reconciliation';
import { MemoryRestrictionStore } from './store';
import { signedEvent } from './testing/events';

const key = { keyId: 'svc-1', privateKey: generateSigningKeyPair().privateKeyPem };

describe('activeDigests', () => {
  it('covers only restrictions whose latest applied state is ACTIVE, as (id, version)', async () => {
    const store = new MemoryRestrictionStore();
    await applyIfNewer(store, signedEvent({ id: 'a-1', version: 2 }, key));
    await applyIfNewer(store, signedEvent({ id: 'a-2', version: 1, kind: 'CONSUMPTION_RESTRICTION' }, key));
    await applyIfNewer(store, signedEvent({ id: 'l-1', version: 1 }, key));
    await applyIfNewer(store, signedEvent({ id: 'l-1', version: 2, status: 'LIFTED' }, key));

    const expected = bucketDigests([
      { id: 'a-1', version: 2 },
      { id: 'a-2', version: 1 },
    ]);
    const digests = await activeDigests(store);
    expect(new Map(digests.map(({ bucket, count, checksum }) => [bucket, { count, checksum }]))).toEqual(expected);
    expect(digests.map((d) => d.bucket)).toEqual([...expected.keys()].sort((a, b) => a - b));
    expect(digests.reduce((sum, d) => sum + d.count, 0)).toBe(2);
  });

  it('changes when a version differs, and is empty for a store with nothing active', async () => {
    const store = new MemoryRestrictionStore();
    await applyIfNewer(store, signedEvent({ id: 'a-1', version: 1 }, key));
    const before = await activeDigests(store);
    await applyIfNewer(store, signedEvent({ id: 'a-1', version: 2 }, key));
    expect(await activeDigests(store)).not.toEqual(before);
    await applyIfNewer(store, signedEvent({ id: 'a-1', version: 3, status: 'LIFTED' }, key));
    expect(await activeDigests(store)).toEqual([]);
  });
});

describe('entriesInBuckets', () => {
  it('selects the entries of the given buckets', async () => {
    const store = new MemoryRestrictionStore();
    for (const id of ['x-1', 'x-2', 'x-3', 'x-4']) await applyIfNewer(store, signedEvent({ id }, key));
    const bucket = bucketOf('x-3');
    const selected = await entriesInBuckets(store, [bucket]);
    expect(selected.map((e) => e.id)).toContain('x-3');
    expect(selected.every((e) => bucketOf(e.id) === bucket)).toBe(true);
  });
});
