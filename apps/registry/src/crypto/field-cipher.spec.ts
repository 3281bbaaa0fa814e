import { randomBytes } from 'node:crypto';
import { dataKeysFrom } from './data-keys';
import { contextOf } from './encrypted-columns';
import { FieldCipher, FieldCipherError } from './field-cipher';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const state = JSON.stringify({ subject: { name: '张𠀀三', identifier: { type: 'RESIDENT_ID', value: '11010519491231002X' } } });
const here = contextOf.restrictionState('0190f3a4-5b6c-7d8e-9f00-112233445566', 3);

describe('FieldCipher', () => {
  const cipher = new FieldCipher({ keys: { k1 }, activeKeyId: 'k1' });

  it('round-trips a document as v1:<kid>:<iv>:<ciphertext+tag> without the plaintext in it', () => {
    const stored = cipher.encrypt(state, here);
    expect(stored).toMatch(/^v1:k1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('11010519491231002X');
    expect(stored).not.toContain('1101051949');
    expect(cipher.decrypt(stored, here)).toBe(state);
  });

  it('uses a fresh IV for every value: the same plaintext never encrypts the same way twice', () => {
    const a = cipher.encrypt(state, here);
    const b = cipher.encrypt(state, here);
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
  });

  it('refuses a value moved to another row, version or column (the context is authenticated)', () => {
    const stored = cipher.encrypt(state, here);
    for (const elsewhere of [
      contextOf.restrictionState('0190f3a4-5b6c-7d8e-9f00-112233445567', 3),
      contextOf.restrictionState('0190f3a4-5b6c-7d8e-9f00-112233445566', 2),
      contextOf.restrictionHistoryState('0190f3a4-5b6c-7d8e-9f00-112233445566', 3),
    ]) {
      expect(() => cipher.decrypt(stored, elsewhere)).toThrow(FieldCipherError);
    }
  });

  it('refuses a value whose ciphertext or tag was altered', () => {
    const stored = cipher.encrypt(state, here);
    const [v, kid, iv, body] = stored.split(':');
    const bytes = Buffer.from(body, 'base64');
    for (const at of [0, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[at] ^= 0x01;
      expect(() => cipher.decrypt([v, kid, iv, altered.toString('base64')].join(':'), here)).toThrow(/does not authenticate/);
    }
    expect(() => cipher.decrypt([v, kid, iv, bytes.subarray(0, 10).toString('base64')].join(':'), here)).toThrow(/malformed/);
  });

  it('refuses a value under a key it does not have, and plaintext', () => {
    const other = new FieldCipher({ keys: { k9: k2 }, activeKeyId: 'k9' });
    expect(() => cipher.decrypt(other.encrypt(state, here), here)).toThrow('restrictions.state: no data key "k9" is configured');
    expect(() => cipher.decrypt(state, here)).toThrow('restrictions.state: not an encrypted value');
  });

  it('refuses a value whose key id was swapped for another configured key', () => {
    const both = new FieldCipher({ keys: { k1, k2 }, activeKeyId: 'k1' });
    const stored = both.encrypt(state, here);
    expect(() => both.decrypt(stored.replace(/^v1:k1:/, 'v1:k2:'), here)).toThrow(FieldCipherError);
  });

  it('names the column, never the value or the row, when it refuses', () => {
    const idempotency = contextOf.idempotencyResponse('debtor:dev-debtor-11010519491231002X', 'key-1');
    try {
      cipher.decrypt(cipher.encrypt(state, idempotency), here);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as Error).message).toBe('restrictions.state: the encrypted value does not authenticate (wrong key, row or column, or altered)');
    }
    expect(() => cipher.decrypt('v1:k1:x:y', idempotency)).toThrow(/^idempotency_keys\.response: malformed/);
  });

  it('rotation: after switching the active key, values under the old key still decrypt and new ones use the new key', () => {
    const before = new FieldCipher({ keys: { k1 }, activeKeyId: 'k1' });
    const old = before.encrypt(state, here);
    const after = new FieldCipher({ keys: { k1, k2 }, activeKeyId: 'k2' });
    expect(after.decrypt(old, here)).toBe(state);
    expect(after.needsReencryption(old)).toBe(true);
    const fresh = after.encrypt(state, here);
    expect(fresh.startsWith('v1:k2:')).toBe(true);
    expect(after.needsReencryption(fresh)).toBe(false);
    // Once the old key is retired, only the re-encrypted value is readable.
    const retired = new FieldCipher({ keys: { k2 }, activeKeyId: 'k2' });
    expect(retired.decrypt(fresh, here)).toBe(state);
    expect(() => retired.decrypt(old, here)).toThrow('no data key "k1"');
  });

  it('keeps contexts of different rows apart even when key parts contain the separator', () => {
    expect(contextOf.idempotencyResponse('court:110108', 'a:b')).not.toBe(contextOf.idempotencyResponse('court:110108:a', 'b'));
  });

  it('refuses to start with a short key or an active key id it does not have', () => {
    expect(() => new FieldCipher({ keys: { k1: randomBytes(16) }, activeKeyId: 'k1' })).toThrow(FieldCipherError);
    expect(() => new FieldCipher({ keys: { k1 }, activeKeyId: 'k2' })).toThrow('active data key "k2" is not configured');
  });
});

describe('dataKeysFrom (DATA_KEYS, DATA_KEY_ID)', () => {
  const b64 = (key: Buffer) => key.toString('base64');

  it('reads the keys and takes the last one as active unless DATA_KEY_ID names another', () => {
    const problems: string[] = [];
    const keys = dataKeysFrom({ DATA_KEYS: JSON.stringify({ '2025-01': b64(k1), '2026-01': b64(k2) }) }, 'production', problems);
    expect(problems).toEqual([]);
    expect(keys.activeKeyId).toBe('2026-01');
    expect(keys.keys['2025-01'].equals(k1)).toBe(true);
    expect(dataKeysFrom({ DATA_KEYS: JSON.stringify({ a: b64(k1), b: b64(k2) }), DATA_KEY_ID: 'a' }, 'production', []).activeKeyId).toBe('a');
  });

  it('has a development key outside production and requires DATA_KEYS in production', () => {
    const problems: string[] = [];
    expect(dataKeysFrom({}, 'development', problems).activeKeyId).toBe('dev-1');
    expect(problems).toEqual([]);
    dataKeysFrom({}, 'production', problems);
    expect(problems).toEqual(['DATA_KEYS is required in production']);
  });

  it('refuses keys that are not 32 bytes of base64, ids that cannot appear in an envelope, and an unknown DATA_KEY_ID', () => {
    const bad = 'DATA_KEYS must be a JSON object {"<key id: letters, digits, . _ ->": "<base64 of 32 bytes>"}';
    for (const DATA_KEYS of ['not json', '[]', '{}', JSON.stringify({ k1: b64(randomBytes(16)) }), JSON.stringify({ 'k:1': b64(k1) }), JSON.stringify({ k1: 'not base64!' })]) {
      const problems: string[] = [];
      dataKeysFrom({ DATA_KEYS }, 'development', problems);
      expect(problems).toEqual([bad]);
    }
    const problems: string[] = [];
    dataKeysFrom({ DATA_KEYS: JSON.stringify({ k1: b64(k1) }), DATA_KEY_ID: 'k2' }, 'development', problems);
    expect(problems).toEqual(['DATA_KEY_ID "k2" is not one of DATA_KEYS']);
  });
});
