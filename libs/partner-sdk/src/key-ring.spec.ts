import { generateSigningKeyPair } from '@cd/contracts';
import { ServiceKeyRing } from './key-ring';
import { signedEvent } from './testing/events';

const old = generateSigningKeyPair();
const rotated = generateSigningKeyPair();

describe('ServiceKeyRing', () => {
  it('verifies with the given keys without fetching', async () => {
    const fetchKeys = jest.fn();
    const ring = new ServiceKeyRing({ 'k-1': old.publicKeyPem }, { fetchKeys });
    expect(await ring.check(signedEvent({}, { keyId: 'k-1', privateKey: old.privateKeyPem }))).toBe('VALID');
    expect(fetchKeys).not.toHaveBeenCalled();
  });

  it('refetches the key list when a rotated key id shows up', async () => {
    const fetchKeys = jest.fn().mockResolvedValue({ 'k-1': old.publicKeyPem, 'k-2': rotated.publicKeyPem });
    const ring = new ServiceKeyRing({ 'k-1': old.publicKeyPem }, { fetchKeys });
    expect(await ring.check(signedEvent({}, { keyId: 'k-2', privateKey: rotated.privateKeyPem }))).toBe('VALID');
    expect(fetchKeys).toHaveBeenCalledTimes(1);
    expect(ring.keyIds.sort()).toEqual(['k-1', 'k-2']);
  });

  it('answers UNKNOWN_KEY when the fresh list lacks the key id, fetching at most once per interval', async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const fetchKeys = jest.fn().mockResolvedValue({ 'k-1': old.publicKeyPem });
    const ring = new ServiceKeyRing({}, {
      fetchKeys,
      minRefreshIntervalMs: 5000,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    const stranger = signedEvent({}, { keyId: 'k-x', privateKey: rotated.privateKeyPem });
    expect(await ring.check(stranger)).toBe('UNKNOWN_KEY');
    now += 1000;
    expect(await ring.check(stranger)).toBe('UNKNOWN_KEY');
    expect(fetchKeys).toHaveBeenCalledTimes(2);
    expect(slept).toEqual([4000]);
  });

  it('throws when the key list cannot be fetched, so the event is retried rather than skipped', async () => {
    const ring = new ServiceKeyRing({}, { fetchKeys: () => Promise.reject(new Error('registry unreachable')) });
    await expect(ring.check(signedEvent({}, { keyId: 'k-1', privateKey: old.privateKeyPem }))).rejects.toThrow('registry unreachable');
  });

  it('answers BAD_SIGNATURE for a known key id and a wrong signature', async () => {
    const ring = new ServiceKeyRing({ 'k-1': old.publicKeyPem });
    expect(await ring.check(signedEvent({}, { keyId: 'k-1', privateKey: rotated.privateKeyPem }))).toBe('BAD_SIGNATURE');
  });
});
