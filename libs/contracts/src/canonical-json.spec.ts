import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { signEvent } from './restriction-event';
import { generateSigningKeyPair, verifyDocument } from './signing';
import { anEventFor, realisticStates } from './testing/fixtures';

/** The first implementation: every signature and fingerprint issued so far covers its bytes. */
function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const agree = (value: unknown) => expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));

// Keys that sort or behave specially: array indices (listed first by any JS object), near-indices,
// prototype names, and arbitrary UTF-16 including lone surrogates.
const awkwardKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toJSON', 'hasOwnProperty', '', '0', '1', '9', '10', '01', '-1', '1.5', '1e3', '4294967294', '4294967295', 'a', 'B', 'ä', 'Z'),
  fc.nat().map(String),
);

const awkwardLeaf = fc.oneof(
  fc.jsonValue({ maxDepth: 1, stringUnit: 'binary' }),
  fc.constantFrom(undefined, NaN, Infinity, -Infinity, -0, 1e21, 5e-7, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.date({ noInvalidDate: false }),
  fc.constant(() => 'a function'),
  fc.constant(Symbol('a symbol')),
  fc.string({ unit: 'binary' }).map((text) => ({ toJSON: (key: string) => ({ key, text }) })),
);

describe('canonicalJson', () => {
  it('sorts keys at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('orders keys by UTF-16 code units, with array-index keys first in numeric order as the reference does', () => {
    const value = { b: 1, '10': 2, '9': 3, a: 4, '01': 5, '4294967295': 6, '4294967294': 7, Z: 8, ä: 9, '😀': 10, ｚ: 11 };
    expect(canonicalJson(value)).toBe('{"9":3,"10":2,"4294967294":7,"01":5,"4294967295":6,"Z":8,"a":4,"b":1,"ä":9,"😀":10,"ｚ":11}');
    agree(value);
  });

  it('honours toJSON (Dates), passing the key as JSON.stringify does', () => {
    const custom = { toJSON: (key: string) => ({ z: key, a: 1 }) };
    expect(canonicalJson({ at: new Date(0), custom, list: [custom] })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","custom":{"a":1,"z":"custom"},"list":[{"a":1,"z":"0"}]}',
    );
    expect(canonicalJson(new Date(NaN))).toBe('null');
  });

  it('omits undefined, functions and symbols in objects and writes null for them in arrays', () => {
    const value = { u: undefined, f: () => 1, s: Symbol('s'), a: [undefined, () => 1, Symbol('s')], [Symbol('key')]: 1 };
    expect(canonicalJson(value)).toBe('{"a":[null,null,null]}');
    expect(canonicalJson(undefined)).toBeUndefined();
    expect(canonicalJson(() => 1)).toBeUndefined();
  });

  it('writes non-finite numbers as null and numbers as JSON.stringify does', () => {
    expect(canonicalJson([NaN, Infinity, -Infinity, -0, 1e21, 1.5e-7, 0.1])).toBe('[null,null,null,0,1e+21,1.5e-7,0.1]');
  });

  it('escapes strings exactly as JSON.stringify, lone surrogates included', () => {
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 del \u007f line-sep \u2028 lone \ud800 pair 😀 中文';
    expect(canonicalJson({ [text]: text })).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
  });

  it('turns boxed values, maps and sets into objects of their entries, as the reference does', () => {
    for (const value of [new String('ab'), new Number(1), new Boolean(false), new Map([[1, 2]]), new Set([1]), new Uint8Array([5, 6])]) agree({ value });
  });

  it('refuses BigInt like JSON.stringify', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });

  it('gives the reference bytes for every realistic event, so signatures made before still verify', () => {
    const key = generateSigningKeyPair();
    for (const state of Object.values(realisticStates())) {
      const signed = signEvent(anEventFor(state), { keyId: 'svc', privateKey: key.privateKeyPem });
      const wire = JSON.parse(JSON.stringify(signed)) as Record<string, unknown>;
      agree(wire);
      const { signature, ...unsigned } = wire;
      expect(verifyDocument(unsigned, signature as string, key.publicKeyPem)).toBe(true);
    }
  });

  it('agrees with the reference on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary' }), agree), { numRuns: 2_000 });
  });

  it('agrees with the reference on objects with awkward keys, Dates, undefined, functions and nested arrays', () => {
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, awkwardLeaf, tie('array'), tie('object')),
      array: fc.array(tie('tree'), { maxLength: 5 }),
      object: fc.dictionary(awkwardKey, tie('tree'), { maxKeys: 6 }),
    }));
    fc.assert(fc.property(tree, agree), { numRuns: 2_000 });
  });

  it('agrees with the reference on anything fast-check builds (boxed values, null prototypes, sparse and typed arrays)', () => {
    const anything = fc.anything({
      key: awkwardKey,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      stringUnit: 'binary',
    });
    fc.assert(fc.property(anything, agree), { numRuns: 2_000 });
  });
});
