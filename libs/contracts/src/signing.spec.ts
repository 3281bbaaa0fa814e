import { createPrivateKey, createPublicKey } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { uuidv7 } from './ids';
import { signReceipt, verifyReceipt, type Receipt, type UnsignedReceipt } from './receipt';
import { signEvent, verifyEvent, type RestrictionEvent } from './restriction-event';
import { generateSigningKeyPair, signDocument, verifyDocument } from './signing';
import { aConsumptionRestrictionWithPermissions, anEventFor, anOrganisationExitBan, realisticStates } from './testing/fixtures';

type Json = Record<string, unknown>;

const oldKey = generateSigningKeyPair();
const newKey = generateSigningKeyPair();
const strangerKey = generateSigningKeyPair();

const OLD = { keyId: 'svc-2024-01', privateKey: oldKey.privateKeyPem };
const NEW = { keyId: 'svc-2025-06', privateKey: newKey.privateKeyPem };
/** The published key set after rotation: the new key signs, the retired one is still listed for older events. */
const ROTATED_KEYS = { [OLD.keyId]: oldKey.publicKeyPem, [NEW.keyId]: newKey.publicKeyPem };

/** As a partner sees it: parsed off the wire. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Every leaf of a JSON value, as a path of keys and indices. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]));
  return [path];
}

/** A copy with the leaf at `path` changed to a different value of the same type. */
function tamperedAt<T>(value: T, path: (string | number)[]): T {
  const copy = wire(value);
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, unknown>)[key] as Json, copy as Json);
  const last = path[path.length - 1] as string;
  const leaf = parent[last];
  parent[last] = typeof leaf === 'number' ? leaf + 1 : typeof leaf === 'boolean' ? !leaf : `${String(leaf)}X`;
  return copy;
}

describe('signEvent / verifyEvent', () => {
  const event = () => signEvent(anEventFor(aConsumptionRestrictionWithPermissions()), NEW);

  it('round-trips: a signed event verifies, also after crossing the wire', () => {
    const signed = event();
    expect(signed.sigkeyid).toBe(NEW.keyId);
    expect(signed.signature).toMatch(/^[A-Za-z0-9+/]{86}==$/); // 64-byte Ed25519 signature
    expect(verifyEvent(signed, ROTATED_KEYS)).toBe(true);
    expect(verifyEvent(wire(signed), ROTATED_KEYS)).toBe(true);
  });

  it('verifies whatever order the keys arrive in (canonical JSON)', () => {
    const signed = event();
    const reordered = JSON.parse(JSON.stringify(signed, Object.keys(signed).reverse())) as RestrictionEvent;
    const reversedDeep = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversedDeep)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedDeep(v)]))
          : value;
    expect(verifyEvent(reversedDeep(signed) as RestrictionEvent, ROTATED_KEYS)).toBe(true);
    expect(Object.keys(reordered)[0]).toBe('signature');
  });

  it('signs each realistic state', () => {
    for (const state of Object.values(realisticStates())) {
      expect(verifyEvent(wire(signEvent(anEventFor(state), OLD)), ROTATED_KEYS)).toBe(true);
    }
  });

  it('re-signing replaces an earlier signature and key id', () => {
    const resigned = signEvent(signEvent(anEventFor(anOrganisationExitBan()), OLD), NEW);
    expect(resigned.sigkeyid).toBe(NEW.keyId);
    expect(verifyEvent(resigned, { [NEW.keyId]: newKey.publicKeyPem })).toBe(true);
  });

  it('fails when any data field is changed', () => {
    const signed = event();
    const paths = leafPaths(signed.data).map((path) => ['data', ...path]);
    expect(paths.length).toBeGreaterThan(30);
    for (const path of paths) {
      const tampered = tamperedAt(signed, path);
      if (verifyEvent(tampered, ROTATED_KEYS)) throw new Error(`tampering with ${path.join('.')} went unnoticed`);
    }
  });

  it('fails when any envelope attribute is changed', () => {
    const signed = event();
    for (const key of ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype'] as const) {
      expect(verifyEvent(tamperedAt(signed, [key]), ROTATED_KEYS)).toBe(false);
    }
  });

  it('fails when the version is changed, either way', () => {
    const signed = event();
    expect(verifyEvent({ ...signed, data: { ...signed.data, version: signed.data.version + 1 } }, ROTATED_KEYS)).toBe(false);
    expect(verifyEvent({ ...signed, data: { ...signed.data, version: signed.data.version - 1 } }, ROTATED_KEYS)).toBe(false);
  });

  it('fails when fields are added or removed', () => {
    const signed = event();
    expect(verifyEvent({ ...signed, data: { ...signed.data, obligation: '支付货款' } } as RestrictionEvent, ROTATED_KEYS)).toBe(false);
    const { permissions: _dropped, ...withoutPermissions } = signed.data;
    expect(verifyEvent({ ...signed, data: withoutPermissions }, ROTATED_KEYS)).toBe(false);
    expect(verifyEvent({ ...signed, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } as RestrictionEvent, ROTATED_KEYS)).toBe(false);
  });

  it('fails when sigkeyid is changed, even to another listed key', () => {
    const signed = event();
    expect(verifyEvent({ ...signed, sigkeyid: OLD.keyId }, ROTATED_KEYS)).toBe(false);
    // Even if the attacker's key set maps the claimed id to the signing key, the id is signed too.
    expect(verifyEvent({ ...signed, sigkeyid: 'svc-other' }, { 'svc-other': newKey.publicKeyPem })).toBe(false);
  });

  it('after rotation, still verifies events signed with the retired key, and new ones with the new key', () => {
    const before = wire(signEvent(anEventFor(anOrganisationExitBan()), OLD));
    const after = wire(signEvent(anEventFor(anOrganisationExitBan()), NEW));
    expect(verifyEvent(before, ROTATED_KEYS)).toBe(true);
    expect(verifyEvent(after, ROTATED_KEYS)).toBe(true);
    // Once the retired key is removed from the set, its events no longer verify.
    expect(verifyEvent(before, { [NEW.keyId]: newKey.publicKeyPem })).toBe(false);
    // Each key verifies only its own events.
    expect(verifyEvent({ ...before, sigkeyid: NEW.keyId }, ROTATED_KEYS)).toBe(false);
  });

  it('accepts KeyObjects as well as PEM strings', () => {
    const signed = signEvent(anEventFor(anOrganisationExitBan()), { keyId: NEW.keyId, privateKey: createPrivateKey(newKey.privateKeyPem) });
    expect(verifyEvent(signed, { [NEW.keyId]: createPublicKey(newKey.publicKeyPem) })).toBe(true);
  });

  it('fails for an unknown key id, a key that did not sign it, or no signature', () => {
    const byStranger = signEvent(anEventFor(anOrganisationExitBan()), { keyId: 'svc-2099-01', privateKey: strangerKey.privateKeyPem });
    expect(verifyEvent(byStranger, ROTATED_KEYS)).toBe(false);
    const impostor = signEvent(anEventFor(anOrganisationExitBan()), { keyId: NEW.keyId, privateKey: strangerKey.privateKeyPem });
    expect(verifyEvent(impostor, ROTATED_KEYS)).toBe(false);

    const signed = event();
    const { signature: _s, ...unsigned } = signed;
    expect(verifyEvent(unsigned, ROTATED_KEYS)).toBe(false);
    const { sigkeyid: _k, ...noKeyId } = signed;
    expect(verifyEvent(noKeyId, ROTATED_KEYS)).toBe(false);
    expect(verifyEvent({ ...signed, signature: '' }, ROTATED_KEYS)).toBe(false);
    expect(verifyEvent({ ...signed, signature: 'bm90IGEgc2lnbmF0dXJl' }, ROTATED_KEYS)).toBe(false);
    expect(verifyEvent(signed, {})).toBe(false);
  });

  it('does not mistake inherited object properties for keys', () => {
    const signed = event();
    for (const sigkeyid of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(verifyEvent({ ...signed, sigkeyid }, ROTATED_KEYS)).toBe(false);
    }
  });
});

describe('signReceipt / verifyReceipt', () => {
  const partner = generateSigningKeyPair();
  const unsigned: UnsignedReceipt = {
    partnerId: 'icbc',
    restrictionId: uuidv7(),
    version: 2,
    eventId: uuidv7(),
    outcome: 'FAILED',
    reason: 'account system maintenance window',
    partnerReference: 'ICBC-CR-778812',
    time: '2025-06-02T02:03:04.567Z',
    keyId: 'icbc-2025',
  };

  it('round-trips, also after crossing the wire', () => {
    const receipt = signReceipt(unsigned, partner.privateKeyPem);
    expect(verifyReceipt(receipt, partner.publicKeyPem)).toBe(true);
    expect(verifyReceipt(wire(receipt), partner.publicKeyPem)).toBe(true);
  });

  it('fails when any field is changed, added or removed', () => {
    const receipt = signReceipt(unsigned, partner.privateKeyPem);
    for (const key of Object.keys(unsigned) as (keyof UnsignedReceipt)[]) {
      expect(verifyReceipt(tamperedAt(receipt, [key]), partner.publicKeyPem)).toBe(false);
      const { [key]: _removed, ...without } = receipt;
      expect(verifyReceipt(without as Receipt, partner.publicKeyPem)).toBe(false);
    }
    expect(verifyReceipt({ ...receipt, outcome: 'APPLIED' }, partner.publicKeyPem)).toBe(false);
    expect(verifyReceipt({ ...receipt, note: 'x' } as Receipt, partner.publicKeyPem)).toBe(false);
  });

  it("fails with another partner's key or without a signature", () => {
    const receipt = signReceipt(unsigned, partner.privateKeyPem);
    expect(verifyReceipt(receipt, strangerKey.publicKeyPem)).toBe(false);
    expect(verifyReceipt({ ...receipt, signature: '' }, partner.publicKeyPem)).toBe(false);
    expect(verifyReceipt({ ...receipt, signature: undefined as unknown as string }, partner.publicKeyPem)).toBe(false);
  });

  it('signs exactly the canonical JSON of the receipt without its signature', () => {
    const receipt = signReceipt(unsigned, partner.privateKeyPem);
    const { signature, ...rest } = receipt;
    expect(verifyDocument(JSON.parse(canonicalJson(rest)) as object, signature, partner.publicKeyPem)).toBe(true);
    expect(signDocument(rest, partner.privateKeyPem)).toBe(signature); // Ed25519 is deterministic
  });
});

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: null }, e: '中文' };
    const b = { e: '中文', a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1,"e":"中文"}');
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson({ m: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'] })).not.toBe(canonicalJson({ m: ['HIGH_SPEED_RAIL', 'AIR_TRAVEL'] }));
  });

  it('sorts by UTF-16 code units and leaves out undefined values', () => {
    expect(canonicalJson({ b: 1, B: 2, a: undefined, _: 3, 'ä': 4 })).toBe('{"B":2,"_":3,"b":1,"ä":4}');
  });

  it('is the same for a value and its JSON round trip', () => {
    const event = signEvent(anEventFor(aConsumptionRestrictionWithPermissions()), NEW);
    expect(canonicalJson(wire(event))).toBe(canonicalJson(event));
  });
});
