import { generateSigningKeyPair } from '@cd/contracts';
import { applyIfNewer, applyToStore } from './apply';
import { MemoryRestrictionStore } from './store';
import { signedEvent } from './testing/events';

const key = { keyId: 'svc-1', privateKey: generateSigningKeyPair().privateKeyPem };
const context = { topic: 't', partition: 0, offset: '0' };

describe('applyIfNewer', () => {
  it('applies a first event and every newer version', async () => {
    const store = new MemoryRestrictionStore();
    const v1 = signedEvent({ id: 'r-1', version: 1 }, key);
    const v2 = signedEvent({ id: 'r-1', version: 2 }, key);
    expect(await applyIfNewer(store, v1)).toBe('applied');
    expect(await applyIfNewer(store, v2)).toBe('applied');
    expect(await store.get('r-1')).toEqual({ version: 2, status: 'ACTIVE', state: v2.data, eventId: v2.id });
  });

  it('calls the same version a duplicate and leaves the store alone', async () => {
    const store = new MemoryRestrictionStore();
    const v1 = signedEvent({ id: 'r-1', version: 1 }, key);
    await applyIfNewer(store, v1);
    expect(await applyIfNewer(store, signedEvent({ id: 'r-1', version: 1 }, key))).toBe('duplicate');
    expect((await store.get('r-1'))?.eventId).toBe(v1.id);
  });

  it('never lets an older version overwrite a newer one, whatever the arrival order', async () => {
    const store = new MemoryRestrictionStore();
    const events = [1, 2, 3].map((version) => signedEvent({ id: 'r-1', version, status: version === 3 ? 'LIFTED' : 'ACTIVE' }, key));
    expect(await applyIfNewer(store, events[2])).toBe('applied');
    expect(await applyIfNewer(store, events[0])).toBe('stale');
    expect(await applyIfNewer(store, events[1])).toBe('stale');
    expect(await store.get('r-1')).toMatchObject({ version: 3, status: 'LIFTED' });
  });

  it('skips a version gap forward (full state per event) but not backward', async () => {
    const store = new MemoryRestrictionStore();
    expect(await applyIfNewer(store, signedEvent({ id: 'r-1', version: 1 }, key))).toBe('applied');
    expect(await applyIfNewer(store, signedEvent({ id: 'r-1', version: 4 }, key))).toBe('applied');
    expect(await applyIfNewer(store, signedEvent({ id: 'r-1', version: 3 }, key))).toBe('stale');
    expect((await store.get('r-1'))?.version).toBe(4);
  });

  it('keeps restrictions apart', async () => {
    const store = new MemoryRestrictionStore();
    await applyIfNewer(store, signedEvent({ id: 'r-1', version: 5 }, key));
    expect(await applyIfNewer(store, signedEvent({ id: 'r-2', version: 1 }, key))).toBe('applied');
  });
});

describe('applyToStore', () => {
  it('confirms applied and duplicate versions, and stays silent for stale ones', async () => {
    const store = new MemoryRestrictionStore();
    const handler = applyToStore(store, { kinds: ['DISHONEST_LISTING'], partnerReference: (e) => `ref-${e.data.version}` });
    const v2 = signedEvent({ id: 'r-1', version: 2 }, key);
    expect(await handler(v2, context)).toEqual({ outcome: 'APPLIED', partnerReference: 'ref-2' });
    expect(await handler(v2, context)).toEqual({ outcome: 'APPLIED', partnerReference: 'ref-2' });
    expect(await handler(signedEvent({ id: 'r-1', version: 1 }, key), context)).toBeNull();
  });

  it('answers NOT_APPLICABLE for a kind the partner does not enforce, without storing it', async () => {
    const store = new MemoryRestrictionStore();
    const handler = applyToStore(store, { kinds: ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION'] });
    const result = await handler(signedEvent({ id: 'r-9', kind: 'EXIT_BAN' }, key), context);
    expect(result).toMatchObject({ outcome: 'NOT_APPLICABLE' });
    expect(await store.get('r-9')).toBeUndefined();
  });
});
