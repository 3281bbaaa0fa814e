/**
 * JSON with object keys sorted at every level: the byte form that signatures and fingerprints cover.
 *
 * Byte for byte what `JSON.stringify` gives with a replacer that rebuilds every object from its
 * entries sorted by UTF-16 code units (the first implementation, kept as the reference in the
 * spec). That includes its one quirk: a rebuilt object lists array-index keys ("0", "10") first,
 * in numeric order, as every JS object does, so they come out that way too.
 */
export function canonicalJson(value: unknown): string {
  // Like JSON.stringify: undefined for undefined, a function or a symbol at the top.
  return serialize(value, '') as string;
}

// Hot path of every signature check: a direct serializer instead of a replacer that allocates
// an entries array and a rebuilt object per object.
function serialize(value: unknown, key: string | number): string | undefined {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? serializeArray(value) : serializeObject(value as Record<string, unknown>);
    default:
      return undefined;
  }
}

function serializeArray(array: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    if (i > 0) out += ',';
    out += serialize(array[i], i) ?? 'null';
  }
  return out + ']';
}

function serializeObject(object: Record<string, unknown>): string {
  let out = '{';
  for (const key of sortedKeys(object)) {
    const member = serialize(object[key], key);
    if (member === undefined) continue;
    if (out.length > 1) out += ',';
    out += quote(key) + ':' + member;
  }
  return out + '}';
}

function sortedKeys(object: object): string[] {
  // Own enumerable string keys, as Object.entries; sort() without a comparator compares UTF-16 code units.
  const keys = Object.keys(object).sort();
  if (!keys.some(isArrayIndex)) return keys;
  return [...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...keys.filter((key) => !isArrayIndex(key))];
}

const MAX_ARRAY_INDEX = 2 ** 32 - 2;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && ARRAY_INDEX.test(key) && Number(key) <= MAX_ARRAY_INDEX;
}

// Control characters, quote, backslash and any surrogate (a lone one is escaped): left to JSON.stringify.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /[\u0000-\u001f"\\\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}
