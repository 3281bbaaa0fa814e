// Invalid-by-construction HTTP requests for every registry endpoint (fast-check), used by test/fuzz.e2e-spec.ts.
//
// A request starts from a valid one and receives one to three changes, each of which makes it invalid
// on its own whatever the others do: a change only ever puts an invalid value at its path, so a later
// change may replace an earlier defect but never repair it. A 2xx or a changed row is therefore a defect
// of the service, never of the generator. The spec sends samples of every valid starting point first
// and checks they succeed, so the changes are what the service refuses.
import { RECEIPT_OUTCOMES, signDocument } from '@cd/contracts';
import {
  ALLOWED_AFFECTED_ROLES,
  CARRY_OUT_ACTIONS,
  CONSUMPTION_MEASURES,
  CORRECTION_DECISIONS,
  CORRECTION_DELETION_REASONS,
  CORRECTION_GROUNDS,
  CORRECTION_STATUSES,
  DEADLINE_UNITS,
  IDENTIFIER_TYPES,
  INITIATORS,
  LIFT_REASONS,
  LISTING_DELETION_REASONS,
  LISTING_GROUNDS,
  PARTNER_SECTORS,
  PERSON_ROLES,
  RESTRICTION_KINDS,
  RESTRICTION_STATUSES,
  SEXES,
  SUBJECT_TYPES,
  residentIdCheckChar,
  usccCheckChar,
  type RestrictionKind,
  type SubjectType,
} from '@cd/domain';
import fc from 'fast-check';

export type Expectation = 'refused' | 'answered';

export interface FuzzRequest {
  endpoint: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** What makes the request invalid, in the order applied. */
  why: string[];
  /** 'refused': must be answered 4xx. 'answered': a valid but odd read, which must merely not fail (no 5xx). */
  expect: Expectation;
}

export type Role = 'court' | 'partner' | 'admin' | 'supervisor' | 'debtor';

/** A restriction the fuzzer aims at: a person subject, no affected persons, no grace period (test/support/registry.ts bodies). */
export interface Target {
  id: string;
  version: number;
  kind: RestrictionKind;
  decidedAt: string;
}

export interface FuzzFixtures {
  /** When the fixtures were made; generated instants are relative to it. */
  now: number;
  /** Valid tokens per role (court: the fixtures' court; debtor: the person listed by `restrictions.listing`). */
  tokens: Record<Role, string>;
  /** A debtor who is not the listed person. */
  otherDebtorToken: string;
  /** Valid tokens that are nonetheless refused by the restriction write endpoints: another court, an unregistered court. */
  foreignCourtTokens: { otherCourt: string; unregisteredCourt: string };
  /** Tokens that never authenticate: expired, unknown kid, wrong secret, alg none, tampered, wrong audience… */
  brokenTokens: string[];
  restrictions: { exitBan: Target; listing: Target; consumption: Target; lifted: Target; foreign: Target };
  partner: { id: string; keyId: string; privateKeyPem: string };
  /** A version routed to the partner and released (its receipt is accepted once, then a duplicate). */
  receipt: { restrictionId: string; version: number; eventId: string };
  ed25519PublicKeys: string[];
  /** Valid SPKI PEMs of other algorithms (RSA, EC). */
  otherPublicKeys: string[];
  /** `filed`: the debtor's open request on `restrictions.listing`; `freeListingId`: another listing of the debtor's, with none. */
  corrections: { filed: { id: string; version: number }; freeListingId: string };
}

// --- JSON with changes -------------------------------------------------------------------------------

/** A number JSON.stringify cannot write (1e400, -1e400, 1e30 in full): sent verbatim. */
export class RawNumber {
  constructor(readonly text: string) {}
}

type Path = readonly (string | number)[];

export type Change =
  | { why: string; path: Path; op: 'delete' }
  | { why: string; path: Path; op: 'set'; value: unknown }
  /** An instant relative to another instant of the same body (e.g. decidedAt − 1 day). */
  | { why: string; path: Path; op: 'relative'; from: Path; offsetMs: number };

type Labelled<T = unknown> = { value: T; what: string };

export interface Invalid {
  body: unknown;
  why: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawNumber);
const own = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

// defineProperty, not assignment: a key named __proto__ must become an own property, not the prototype.
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  if (!isObject(value)) return value;
  const out = {};
  for (const key of Object.keys(value)) define(out, key, clone(value[key]));
  return out as T;
}

export function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v === undefined ? null : v)).join(',')}]`;
  if (isObject(value)) {
    const members = Object.keys(value).filter((key) => value[key] !== undefined);
    return `{${members.map((key) => `${JSON.stringify(key)}:${toJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function read(body: unknown, path: Path): unknown {
  let node = body;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isObject(node) && own(node, String(key))) node = node[String(key)];
    else return undefined;
  }
  return node;
}

/** The object or array holding the last key of `path`; missing objects are created for a set. */
function holder(body: unknown, path: Path, create: boolean): Record<string, unknown> | unknown[] | undefined {
  let node = body;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') {
      node = node[key];
    } else if (isObject(node)) {
      const name = String(key);
      if (!own(node, name)) {
        if (!create || typeof key === 'number') return undefined;
        define(node, name, {});
      }
      node = node[name];
    } else {
      return undefined;
    }
  }
  return Array.isArray(node) || isObject(node) ? node : undefined;
}

export function applyChanges(base: unknown, changes: readonly Change[]): Invalid {
  let body = clone(base);
  const why: string[] = [];
  for (const change of changes) {
    if (change.path.length === 0) {
      if (change.op !== 'set') continue;
      body = clone(change.value);
      why.push(change.why);
      continue;
    }
    const parent = holder(body, change.path.slice(0, -1), change.op !== 'delete');
    const last = change.path[change.path.length - 1];
    if (!parent) continue;
    if (change.op === 'delete') {
      if (Array.isArray(parent) || !own(parent, String(last))) continue;
      delete parent[String(last)];
    } else {
      let value: unknown;
      if (change.op === 'set') {
        value = clone(change.value);
      } else {
        const from = read(body, change.from);
        const at = typeof from === 'string' ? Date.parse(from) : NaN;
        if (Number.isNaN(at)) continue;
        value = new Date(at + change.offsetMs).toISOString();
      }
      if (Array.isArray(parent)) {
        if (typeof last !== 'number' || last >= parent.length) continue;
        parent[last] = value;
      } else {
        define(parent, String(last), value);
      }
    }
    why.push(change.why);
  }
  return { body, why };
}

// --- field descriptions (the DTOs' wire rules) ----------------------------------------------------------

type Field =
  | { kind: 'string'; max: number; notEmpty?: boolean; /** the domain trims and requires it */ trimmedRequired?: boolean }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'int'; min: number; max?: number }
  | { kind: 'bool' }
  /** IsISO8601 strict; `parsed`: also read by the domain, which wants a full instant with offset. */
  | { kind: 'instant'; parsed: boolean }
  | { kind: 'date' }
  | { kind: 'pattern'; invalid: fc.Arbitrary<string> }
  | { kind: 'object'; fields: Schema }
  | { kind: 'array'; of: Field; min?: number; max?: number; unique?: boolean; sample: fc.Arbitrary<unknown> };

interface Slot {
  field: Field;
  required?: boolean;
  /** null is a value (clears it); only PATCH fields have this. */
  nullable?: boolean;
}
type Schema = Record<string, Slot>;

const req = (field: Field): Slot => ({ field, required: true });
const opt = (field: Field): Slot => ({ field });
const str = (max: number, rules: { notEmpty?: boolean; trimmedRequired?: boolean } = {}): Field => ({ kind: 'string', max, ...rules });
const oneOf = (values: readonly string[]): Field => ({ kind: 'enum', values });

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const ymd = (ms: number) => iso(ms).slice(0, 10);
const pathText = (path: Path) => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') || 'body';
const wellFormed = (s: string) => {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

const anyJson = fc.jsonValue({ maxDepth: 2 });
const nonStrings = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant([]),
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const nonObjects = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 3 }));
const nonArrays = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.dictionary(fc.string({ maxLength: 5 }), anyJson, { maxKeys: 3 }));
const nonBooleans = fc.oneof(fc.constantFrom('true', 'false', '1', '0', '', 'yes'), fc.integer(), fc.constant([]), fc.constant({}));
const nonIntegers = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom(new RawNumber('1e400'), new RawNumber('-1e400'), new RawNumber('1.5e0')),
);

/** Strings refused by IsISO8601 with strict: true (checked against validator). */
const MALFORMED_INSTANTS = [
  'yesterday', 'now', '', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-06-01T25:00:00Z', '2024-06-31T00:00:00Z',
  '24-06-01T00:00:00Z', '2024/06/01', '01.06.2024', '2024-06-01T02:00:00+25:00', 'T02:00:00Z', '2024-06-01T02:00:00ZZ',
  '١٩٩٠-٠١-٠١T00:00:00Z', '２０２４-06-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z',
  '2024-06-01T02:00:00.000Z\n', ' 2024-06-01T02:00:00Z', '2024-06-01T02:60:00Z', '0000-01-01T00:00:00Z', '2024-06-01t02:00:00z',
];
/** Accepted by IsISO8601 but not an instant with offset: refused by the domain where it reads the field. */
const PARTIAL_INSTANTS = ['2024', '2024-06-01', '2024-06-01T02:00:00', '2024-06-01T02Z', '2024-06-01T02:00:00+0800'];
const MALFORMED_DATES = ['2025-2-1', '2025-02-1', '25-02-01', '2025-13-01', '2025-00-10', '2025-02-32', '2025-02-01T00:00:00Z', ' 2025-02-01', '2025/02/01', '２０２５-02-01', ''];
/** Match the DTO's YYYY-MM-DD pattern but are not calendar dates: refused by the domain. */
const UNREAL_DATES = ['2025-02-30', '2023-02-29', '2025-04-31', '2100-02-29'];
const noDigits = fc.string({ minLength: 1 }).filter((s) => !/\d/.test(s));

// Building arbitraries is not free (string units, patterns); bodies are built per sample, so these are built once per field.
function memo<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, build(key));
    return cache.get(key)!;
  };
}

const invalidValues = memo(buildInvalidValues);
const wrongType = memo(buildWrongType);

function buildInvalidValues(field: Field): fc.Arbitrary<Labelled> {
  const as = (what: string) => (value: unknown) => ({ value, what });
  switch (field.kind) {
    case 'string': {
      const options: fc.Arbitrary<Labelled>[] = [
        fc.tuple(fc.constantFrom('x', '字', 'é'), fc.integer({ min: field.max + 1, max: field.max * 2 + 50 })).map(([c, n]) => ({ value: c.repeat(n), what: `${n} characters, over ${field.max}` })),
      ];
      if (field.notEmpty) options.push(fc.constant({ value: '', what: 'empty' }));
      if (field.trimmedRequired) {
        options.push(fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u3000', '\u00a0', '\ufeff'), minLength: 1, maxLength: 6 }).map(as('blank')));
      }
      return fc.oneof(...options);
    }
    case 'enum': {
      const values = field.values;
      return fc
        .oneof(
          fc.string(),
          fc.string({ unit: 'grapheme', maxLength: 8 }),
          fc.constantFrom(...values).map((v) => v.toLowerCase()),
          fc.constantFrom(...values).map((v) => ` ${v}`),
          fc.constantFrom(...values).map((v) => `${v}\u200b`),
          fc.constantFrom(...values).map((v) => v.replace(/_/g, '-')),
          fc.constantFrom('null', 'undefined', '__proto__', '*'),
        )
        .filter((v) => !values.includes(v))
        .map(as('not one of the allowed values'));
    }
    case 'int': {
      const options: fc.Arbitrary<Labelled>[] = [
        fc.integer({ min: -2_000_000_000, max: field.min - 1 }).map(as(`below ${field.min}`)),
        fc.constant({ value: new RawNumber('-1e400'), what: '-Infinity' }),
      ];
      if (field.max !== undefined) {
        options.push(fc.integer({ min: field.max + 1, max: field.max + 2_000_000_000 }).map(as(`above ${field.max}`)));
        options.push(fc.constant({ value: new RawNumber('1000000000000000000000000000000'), what: '1e30' }));
      }
      options.push(fc.constant({ value: new RawNumber('1e400'), what: 'Infinity' }));
      return fc.oneof(...options);
    }
    case 'bool':
      return nonBooleans.map(as('not a boolean'));
    case 'instant':
      return fc.oneof(
        fc.constantFrom(...MALFORMED_INSTANTS).map(as('malformed instant')),
        noDigits.map(as('malformed instant')),
        ...(field.parsed ? [fc.constantFrom(...PARTIAL_INSTANTS).map(as('not an instant with offset'))] : []),
      );
    case 'date':
      return fc.oneof(
        fc.constantFrom(...MALFORMED_DATES).map(as('malformed date')),
        noDigits.map(as('malformed date')),
        fc.constantFrom(...UNREAL_DATES).map(as('not a calendar date')),
      );
    case 'pattern':
      return field.invalid.map(as('does not match the pattern'));
    case 'object':
      return nonObjects.map(as('not an object'));
    case 'array': {
      const { max } = field;
      const options: fc.Arbitrary<Labelled>[] = [
        invalidValues(field.of).map(({ value, what }) => ({ value: [value], what: `an item ${what}` })),
        wrongType(field.of).map((value) => ({ value: [value], what: 'an item of the wrong type' })),
      ];
      if (max !== undefined) {
        options.push(fc.integer({ min: max + 1, max: max + 3 }).chain((n) => fc.array(field.sample, { minLength: n, maxLength: n })).map(as(`more than ${max} items`)));
      }
      if ((field.min ?? 0) > 0) options.push(fc.constant({ value: [], what: 'empty' }));
      if (field.unique) options.push(field.sample.map((v) => ({ value: [v, v], what: 'a duplicate item' })));
      return fc.oneof(...options);
    }
  }
}

function buildWrongType(field: Field): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'int':
      return nonIntegers;
    case 'bool':
      return nonBooleans;
    case 'object':
      return nonObjects;
    case 'array':
      return nonArrays;
    default:
      return nonStrings;
  }
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__', 'toJSON', 'then'];
/** Fields of the stored state that the wire format does not accept (mass assignment). */
const STATE_KEYS = ['id', 'version', 'status', 'courtCode', 'createdAt', 'updatedAt', 'liftedAt', 'permissions', 'linkedListingId', 'active', 'keys'];

const unknownKeys = new Map<string, fc.Arbitrary<string>>();
function unknownKey(known: readonly string[]): fc.Arbitrary<string> {
  const id = known.join('\u0000');
  if (!unknownKeys.has(id)) unknownKeys.set(id, buildUnknownKey(known));
  return unknownKeys.get(id)!;
}

function buildUnknownKey(known: readonly string[]): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
      { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
      { weight: 1, arbitrary: fc.constantFrom(...STATE_KEYS) },
      { weight: 1, arbitrary: fc.constantFrom(...known).map((k) => [k.toUpperCase(), `${k} `, ` ${k}`, `${k}_`][k.length % 4]) },
    )
    .filter((key) => !known.includes(key));
}

/** Every schema-derived change for this valid body: each one alone makes it invalid. */
function schemaChanges(schema: Schema, base: unknown, path: Path = []): fc.Arbitrary<Change>[] {
  const changes: fc.Arbitrary<Change>[] = [];
  const node = path.length === 0 ? base : read(base, path);
  const known = Object.keys(schema);
  changes.push(
    fc.tuple(unknownKey(known), anyJson).map(([key, value]): Change => ({ op: 'set', path: [...path, key], value, why: `${pathText([...path, key])}: unknown field` })),
  );
  for (const [key, slot] of Object.entries(schema)) {
    const at = [...path, key];
    const present = isObject(node) && own(node, key);
    if (slot.required && present) changes.push(fc.constant<Change>({ op: 'delete', path: at, why: `${pathText(at)}: required, left out` }));
    if (!slot.nullable) changes.push(fc.constant<Change>({ op: 'set', path: at, value: null, why: `${pathText(at)}: null` }));
    changes.push(wrongType(slot.field).map((value): Change => ({ op: 'set', path: at, value, why: `${pathText(at)}: wrong type` })));
    changes.push(invalidValues(slot.field).map(({ value, what }): Change => ({ op: 'set', path: at, value, why: `${pathText(at)}: ${what}` })));
    if (slot.field.kind === 'object') changes.push(...schemaChanges(slot.field.fields, base, at));
    if (slot.field.kind === 'array' && slot.field.of.kind === 'object' && present && Array.isArray(node[key]) && (node[key] as unknown[]).length > 0) {
      changes.push(...schemaChanges(slot.field.of.fields, base, [...at, 0]));
    }
  }
  return changes;
}

/** A valid body with one to three changes from the given families (each already invalid alone). */
function invalidBodies(bases: fc.Arbitrary<unknown>, schema: Schema, domain: (base: unknown) => fc.Arbitrary<Change>[] = () => []): fc.Arbitrary<Invalid> {
  return bases.chain((base) => {
    const specific = domain(base);
    const generic = fc.oneof(...schemaChanges(schema, base));
    const change = specific.length > 0 ? fc.oneof({ weight: 3, arbitrary: generic }, { weight: 2, arbitrary: fc.oneof(...specific) }) : generic;
    return fc.array(change, { minLength: 1, maxLength: 3 }).map((changes) => applyChanges(base, changes));
  });
}

// --- valid values ---------------------------------------------------------------------------------

const REGIONS = ['110108', '110105', '310104', '440305', '510107', '650102'];
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const RESIDENT_CHECKS = [...'0123456789X'];

function residentIdBorn(from: string, to: string): fc.Arbitrary<string> {
  return fc
    .record({
      region: fc.constantFrom(...REGIONS),
      birth: fc.date({ min: new Date(`${from}T00:00:00Z`), max: new Date(`${to}T00:00:00Z`), noInvalidDate: true }),
      sequence: fc.integer({ min: 0, max: 999 }),
    })
    .map(({ region, birth, sequence }) => {
      const first17 = `${region}${ymd(birth.getTime()).replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
      return first17 + residentIdCheckChar(first17);
    });
}
const adultResidentId = residentIdBorn('1940-01-01', '2000-12-31');
const uscc = fc.string({ unit: fc.constantFrom(...USCC_ALPHABET), minLength: 9, maxLength: 9 }).map((body) => {
  const first17 = `91110108${body}`;
  return first17 + usccCheckChar(first17);
});
const charsOf = (chars: string, minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
const DIGITS = '0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';
const passport = fc.record({
  value: fc.tuple(fc.constantFrom('E', 'G', 'P'), charsOf(DIGITS, 8, 8)).map(([letter, digits]) => letter + digits),
  country: fc.constantFrom('CHN', 'USA', 'GBR', 'CAN'),
});
const personIdentifier = fc.oneof(
  { weight: 3, arbitrary: adultResidentId.map((value) => ({ type: 'RESIDENT_ID', value })) },
  { weight: 1, arbitrary: passport.map(({ value, country }) => ({ type: 'PASSPORT', value, country })) },
);
const nonBlank = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 40) }).filter((s) => s.trim() !== '' && wellFormed(s));
const personName = fc.oneof(fc.constantFrom('王五', '张𠀀三', '李四', 'Zhang San', 'O’Brien'), nonBlank(200));
const companyName = fc.oneof(fc.constantFrom('北京某某贸易有限公司', '上海某某科技有限公司'), nonBlank(200));
const hex = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: min, maxLength: max });
const uniqueSubset = <T>(values: readonly T[]) => fc.shuffledSubarray([...values], { minLength: 1 });

const OFFICERS = ALLOWED_AFFECTED_ROLES.EXIT_BAN.ORGANISATION;

function caseInfo(decidedAt: number) {
  return fc.record({
    caseNumber: fc.integer({ min: 1, max: 99999 }).map((n) => `(2026)京0108执${n}号`),
    enforcementBasis: fc.record({
      issuer: fc.constantFrom('北京市海淀区人民法院', '北京仲裁委员会'),
      documentNumber: fc.integer({ min: 1, max: 9999 }).map((n) => `(2025)京0108民初${n}号`),
    }),
    filingDate: fc.integer({ min: 1, max: 300 }).map((days) => ymd(decidedAt - days * DAY)),
  });
}

const affectedPerson = (roles: readonly string[]) => fc.record({ role: fc.constantFrom(...roles), name: personName, identifier: adultResidentId.map((value) => ({ type: 'RESIDENT_ID', value })) });

/** Valid impose bodies of every shape the API accepts, decided between 30 days and 1 hour before `now`. */
export function validImposeBodies(now: number): Record<'exitBanPerson' | 'exitBanOrganisation' | 'listingPerson' | 'listingOrganisation' | 'consumptionPerson', fc.Arbitrary<Record<string, unknown>>> {
  const decided = fc.integer({ min: now - 30 * DAY, max: now - 3_600_000 });
  const person = fc.record({ type: fc.constant('PERSON'), name: personName, identifier: personIdentifier, sex: fc.constantFrom(...SEXES) }, { requiredKeys: ['type', 'name', 'identifier'] });
  const organisation = fc.record(
    { type: fc.constant('ORGANISATION'), name: companyName, identifier: uscc.map((value) => ({ type: 'USCC', value })), legalRepresentative: personName },
    { requiredKeys: ['type', 'name', 'identifier'] },
  );
  const common = (decidedAt: number) => ({
    case: caseInfo(decidedAt),
    decidedAt: fc.constant(iso(decidedAt)),
    initiatedBy: fc.constantFrom(...INITIATORS),
  });
  const exitBan = (subject: fc.Arbitrary<unknown>, persons: fc.Arbitrary<unknown[]>, personsRequired: boolean) =>
    decided.chain((decidedAt) =>
      fc.integer({ min: 0, max: 10 * DAY }).chain((late) =>
        fc.record(
          {
            kind: fc.constant('EXIT_BAN'),
            subject,
            affectedPersons: persons,
            ...common(decidedAt),
            effectiveAt: fc.constant(iso(decidedAt + late)),
            expiresAt: fc.integer({ min: DAY, max: 5 * YEAR }).map((d) => iso(decidedAt + late + d)),
          },
          { requiredKeys: personsRequired ? ['kind', 'subject', 'case', 'decidedAt', 'affectedPersons'] : ['kind', 'subject', 'case', 'decidedAt'] },
        ),
      ),
    );
  const listing = (subject: fc.Arbitrary<unknown>, persons: fc.Arbitrary<unknown[]>) =>
    decided.chain((decidedAt) =>
      fc.record(
        {
          kind: fc.constant('DISHONEST_LISTING'),
          subject,
          affectedPersons: persons,
          ...common(decidedAt),
          // ABLE_BUT_REFUSES needs an attestation and takes no extension: left out so that changes to ground stay invalid.
          ground: fc.constantFrom(...LISTING_GROUNDS.filter((g) => g !== 'ABLE_BUT_REFUSES')),
          extensionYears: fc.integer({ min: 1, max: 3 }),
          obligation: fc.constantFrom('支付货款人民币120000元及利息', ''),
          performanceStatus: fc.constantFrom('全部未履行', '部分履行'),
          dishonestConduct: fc.constantFrom('转移财产规避执行', '虚假诉讼'),
          measures: uniqueSubset(CONSUMPTION_MEASURES),
          publishAfter: fc.integer({ min: 35, max: 85 }).map((days) => iso(decidedAt + days * DAY)),
        },
        { requiredKeys: ['kind', 'subject', 'case', 'decidedAt', 'ground'] },
      ),
    );
  return {
    exitBanPerson: exitBan(person, fc.array(affectedPerson(['LEGAL_AGENT']), { maxLength: 1 }), false) as fc.Arbitrary<Record<string, unknown>>,
    exitBanOrganisation: exitBan(organisation, fc.array(affectedPerson(OFFICERS), { minLength: 1, maxLength: 3 }), true) as fc.Arbitrary<Record<string, unknown>>,
    listingPerson: listing(person, fc.array(affectedPerson(['LEGAL_AGENT']), { maxLength: 1 })) as fc.Arbitrary<Record<string, unknown>>,
    listingOrganisation: listing(organisation, fc.array(affectedPerson(ALLOWED_AFFECTED_ROLES.DISHONEST_LISTING.ORGANISATION), { maxLength: 2 })) as fc.Arbitrary<Record<string, unknown>>,
    consumptionPerson: decided.chain((decidedAt) =>
      fc.record(
        { kind: fc.constant('CONSUMPTION_RESTRICTION'), subject: person, affectedPersons: fc.array(affectedPerson(['LEGAL_AGENT']), { maxLength: 1 }), ...common(decidedAt), measures: uniqueSubset(CONSUMPTION_MEASURES) },
        { requiredKeys: ['kind', 'subject', 'case', 'decidedAt'] },
      ),
    ) as fc.Arbitrary<Record<string, unknown>>,
  };
}

/** Valid corrections of an ACTIVE exit ban or listing fixture at its current version. */
export function validAmendBodies(target: Target): fc.Arbitrary<Record<string, unknown>> {
  const decidedAt = Date.parse(target.decidedAt);
  const listing = target.kind === 'DISHONEST_LISTING';
  const common: Record<string, fc.Arbitrary<unknown>> = {
    subject: fc.record({ name: personName, sex: fc.constantFrom(...SEXES), identifier: personIdentifier }, { requiredKeys: [] }).filter((s) => Object.keys(s).length > 0),
    affectedPersons: fc.array(affectedPerson(['LEGAL_AGENT']), { maxLength: 1 }),
    case: fc
      .record(
        {
          caseNumber: fc.integer({ min: 1, max: 99999 }).map((n) => `(2026)京0108执${n}号之一`),
          enforcementBasis: fc.record({ issuer: fc.constant('北京市第一中级人民法院'), documentNumber: fc.constant('(2025)京01民终77号') }),
          filingDate: fc.integer({ min: 1, max: 300 }).map((days) => ymd(decidedAt - days * DAY)),
        },
        { requiredKeys: [] },
      )
      .filter((c) => Object.keys(c).length > 0),
    effectiveAt: fc.integer({ min: 0, max: 10 * DAY }).map((late) => iso(decidedAt + late)),
  };
  const byKind: Record<string, fc.Arbitrary<unknown>> = listing
    ? {
        ground: fc.constantFrom(...LISTING_GROUNDS.filter((g) => g !== 'ABLE_BUT_REFUSES')),
        extensionYears: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(null)),
        obligation: fc.constant('支付货款人民币80000元'),
        performanceStatus: fc.constant('部分履行'),
        dishonestConduct: fc.constant('隐匿财产'),
      }
    : { expiresAt: fc.oneof(fc.integer({ min: 20 * DAY, max: 5 * YEAR }).map((d) => iso(decidedAt + d)), fc.constant(null)) };
  return fc.record({ ...common, ...byKind }, { requiredKeys: [] }).filter((body) => Object.keys(body).length > 0) as fc.Arbitrary<Record<string, unknown>>;
}

const COURT_LIFT_REASONS = ['PERFORMED', 'SECURITY_PROVIDED', 'CREDITOR_CONSENT', 'REVOKED'];

export function validLiftBodies(target: Target): fc.Arbitrary<Record<string, unknown>> {
  const reasons = target.kind === 'DISHONEST_LISTING' ? LISTING_DELETION_REASONS.filter((r) => r !== 'TERM_EXPIRED') : COURT_LIFT_REASONS;
  const decidedAt = Date.parse(target.decidedAt);
  return fc.record(
    {
      reason: fc.constantFrom(...reasons),
      note: fc.oneof(fc.constantFrom('已全部履行', ' '), fc.string({ maxLength: 30 })),
      liftedAt: fc.integer({ min: 0, max: 30 * 60_000 }).map((ms) => iso(decidedAt + ms)),
      includeLinked: fc.boolean(),
    },
    { requiredKeys: ['reason'] },
  );
}

export function validPermissionBodies(now: number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      measures: uniqueSubset(CONSUMPTION_MEASURES),
      from: fc.integer({ min: DAY, max: 10 * DAY }),
      length: fc.integer({ min: 3_600_000, max: 60 * DAY }),
      reason: fc.oneof(fc.constantFrom('赴外地就医', '子女就学'), nonBlank(2000)),
    })
    .map(({ measures, from, length, reason }) => ({ measures, validFrom: iso(now + from), validUntil: iso(now + from + length), reason }));
}

export function validReceipts(fx: FuzzFixtures): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        outcome: fc.constantFrom(...RECEIPT_OUTCOMES),
        partnerReference: fc.string({ minLength: 1, maxLength: 40 }),
        reason: fc.constantFrom('账户已销户', 'system unavailable'),
        time: fc.integer({ min: 0, max: DAY }).map((ms) => iso(fx.now - ms)),
      },
      { requiredKeys: ['outcome', 'time'] },
    )
    .map(({ outcome, reason, ...rest }) => {
      const unsigned = {
        partnerId: fx.partner.id,
        restrictionId: fx.receipt.restrictionId,
        version: fx.receipt.version,
        eventId: fx.receipt.eventId,
        outcome,
        ...(outcome === 'FAILED' ? { reason: reason ?? '账户已销户' } : {}),
        ...rest,
        keyId: fx.partner.keyId,
      };
      return { ...unsigned, signature: signDocument(unsigned, fx.partner.privateKeyPem) };
    });
}

export function validPartnerRegistrations(fx: FuzzFixtures): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      id: hex(8, 16).map((h) => `fz-${h}`),
      name: fc.oneof(fc.constantFrom('中国建设银行上海市分行', '中国南方航空'), nonBlank(200)),
      sector: fc.constantFrom(...PARTNER_SECTORS),
      kinds: uniqueSubset(RESTRICTION_KINDS),
      receiptDeadline: fc.record({ value: fc.integer({ min: 1, max: 10000 }), unit: fc.constantFrom(...DEADLINE_UNITS) }),
      publicKeys: fc.uniqueArray(
        fc.record({ keyId: charsOf(KEY_CHARS, 1, 20), publicKeyPem: fc.constantFrom(...fx.ed25519PublicKeys) }),
        { minLength: 1, maxLength: 3, selector: (k) => k.keyId },
      ),
    },
    { requiredKeys: ['id', 'name', 'sector', 'receiptDeadline', 'publicKeys'] },
  );
}

export function validPartnerUpdates(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        name: fc.oneof(fc.constant('测试机构（更名）'), nonBlank(200)),
        kinds: uniqueSubset(RESTRICTION_KINDS),
        receiptDeadline: fc.record({ value: fc.integer({ min: 1, max: 10000 }), unit: fc.constantFrom(...DEADLINE_UNITS) }),
        active: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .filter((body) => Object.keys(body).length > 0);
}

export function validPartnerKeys(fx: FuzzFixtures): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({ keyId: hex(6, 12).map((h) => `fz-${h}`), publicKeyPem: fc.constantFrom(...fx.ed25519PublicKeys) });
}

export function validReconciliations(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    buckets: fc.array(fc.record({ bucket: fc.integer({ min: 0, max: 255 }), count: fc.integer({ min: 0, max: 100000 }), checksum: hex(16, 16) }), { maxLength: 5 }),
  });
}

// --- invalid identifiers (GB 11643, GB 32100, passports) --------------------------------------------

const junkChar = fc
  .oneof(fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u200b', '\u200e', '\ufffd', '-', '.', '/', '١', '１', 'Ⅻ', '𠀀', '😀', 'é'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }))
  .filter((c) => !/\s/.test(c) && /[^A-Z0-9]/.test(c.toUpperCase()));
const insertAt = (s: string, at: number, c: string) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1));
const longJunk = fc.integer({ min: 33, max: 400 }).map((n) => ({ value: '1'.repeat(n), what: `${n} characters` }));

function badResidentIdValues(now: number): fc.Arbitrary<Labelled<string>> {
  const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);
  return fc.oneof(
    fc.tuple(adultResidentId, fc.nat(9)).map(([id, k]) => ({ value: id.slice(0, 17) + RESIDENT_CHECKS.filter((c) => c !== id[17])[k], what: 'wrong check character' })),
    fc.tuple(adultResidentId, fc.integer({ min: 0, max: 17 })).map(([id, n]) => ({ value: id.slice(0, n), what: `${n} characters` })),
    fc.tuple(adultResidentId, charsOf(DIGITS, 1, 14)).map(([id, more]) => ({ value: id + more, what: `${18 + more.length} characters` })),
    fc.tuple(fc.constantFrom('19900230', '19901301', '19900100', '19900229', '20230229'), fc.integer({ min: 100, max: 999 })).map(([birth, seq]) => ({ value: withCheck(`110108${birth}${seq}`), what: 'no such birth date' })),
    residentIdBorn(ymd(now + 2 * DAY), '2099-12-31').map((value) => ({ value, what: 'born in the future' })),
    residentIdBorn('1800-01-01', '1899-12-31').map((value) => ({ value, what: 'born before 1900' })),
    fc.tuple(adultResidentId, fc.nat(), junkChar).map(([id, at, c]) => ({ value: insertAt(id, at, c), what: `contains ${JSON.stringify(c)}` })),
    fc.tuple(adultResidentId, fc.integer({ min: 0, max: 16 })).map(([id, i]) => ({ value: id.slice(0, i) + String.fromCharCode(0xff10 + Number(id[i])) + id.slice(i + 1), what: 'a full-width digit' })),
    fc.constantFrom({ value: '', what: 'empty' }, { value: '   ', what: 'blank' }),
    longJunk,
  );
}

function badUsccValues(): fc.Arbitrary<Labelled<string>> {
  return fc.oneof(
    fc.tuple(uscc, fc.nat(29)).map(([code, k]) => ({ value: code.slice(0, 17) + [...USCC_ALPHABET].filter((c) => c !== code[17])[k], what: 'wrong check character' })),
    fc.tuple(uscc, fc.integer({ min: 0, max: 16 }), fc.constantFrom('I', 'O', 'S', 'V', 'Z', 'i', 'o')).map(([code, i, c]) => ({ value: code.slice(0, i) + c + code.slice(i + 1), what: `letter ${c}` })),
    fc.tuple(uscc, fc.integer({ min: 0, max: 17 })).map(([code, n]) => ({ value: code.slice(0, n), what: `${n} characters` })),
    fc.tuple(uscc, fc.nat(), junkChar).map(([code, at, c]) => ({ value: insertAt(code, at, c), what: `contains ${JSON.stringify(c)}` })),
    longJunk,
  );
}

function badPassportValues(): fc.Arbitrary<Labelled<string>> {
  return fc.oneof(
    charsOf(UPPER_ALNUM, 1, 4).map((value) => ({ value, what: 'too short' })),
    charsOf(UPPER_ALNUM, 21, 32).map((value) => ({ value, what: 'too long' })),
    fc.tuple(passport, fc.nat(), junkChar).map(([p, at, c]) => ({ value: insertAt(p.value, at, c), what: `contains ${JSON.stringify(c)}` })),
    longJunk,
  );
}

/** A whole identifier object that no subject of this type may carry. */
const badIdentifiers = new Map<string, fc.Arbitrary<Labelled<Record<string, unknown>>>>();
function badIdentifier(subjectType: SubjectType, now: number): fc.Arbitrary<Labelled<Record<string, unknown>>> {
  const id = `${subjectType}:${now}`;
  if (!badIdentifiers.has(id)) badIdentifiers.set(id, buildBadIdentifier(subjectType, now));
  return badIdentifiers.get(id)!;
}

const minors = new Map<number, fc.Arbitrary<string>>();
/** Resident IDs of people under 18 at any decision in the last 30 days before `now`. */
function minorResidentId(now: number): fc.Arbitrary<string> {
  if (!minors.has(now)) minors.set(now, residentIdBorn(ymd(now - 17 * YEAR), ymd(now - YEAR)));
  return minors.get(now)!;
}

function buildBadIdentifier(subjectType: SubjectType, now: number): fc.Arbitrary<Labelled<Record<string, unknown>>> {
  const resident = badResidentIdValues(now).map(({ value, what }) => ({ value: { type: 'RESIDENT_ID', value }, what: `resident ID: ${what}` }));
  const credit = badUsccValues().map(({ value, what }) => ({ value: { type: 'USCC', value }, what: `USCC: ${what}` }));
  const pass = fc.tuple(badPassportValues(), passport).map(([{ value, what }, p]) => ({ value: { type: 'PASSPORT', value, country: p.country }, what: `passport: ${what}` }));
  const mismatched =
    subjectType === 'PERSON'
      ? uscc.map((value) => ({ value: { type: 'USCC', value }, what: 'a USCC for a person' }))
      : fc.oneof(
          adultResidentId.map((value) => ({ value: { type: 'RESIDENT_ID', value }, what: 'a resident ID for an organisation' })),
          passport.map((p) => ({ value: { type: 'PASSPORT', ...p }, what: 'a passport for an organisation' })),
        );
  const countryMisplaced = fc.oneof(
    fc.tuple(adultResidentId, passport).map(([value, p]) => ({ value: { type: 'RESIDENT_ID', value, country: p.country }, what: 'issuing country on a resident ID' })),
    fc.tuple(uscc, passport).map(([value, p]) => ({ value: { type: 'USCC', value, country: p.country }, what: 'issuing country on a USCC' })),
  );
  const noCountry = passport.map((p) => ({ value: { type: 'PASSPORT', value: p.value }, what: 'passport without issuing country' }));
  const ofItsType = subjectType === 'PERSON' ? [resident, pass, noCountry] : [credit];
  return fc.oneof(...ofItsType, mismatched, countryMisplaced);
}

// --- schemas of the request bodies (restrictions.dto.ts, partners.dto.ts, partner-me.dto.ts, receipts.dto.ts) ---

const COUNTRY = { kind: 'pattern', invalid: fc.oneof(fc.constantFrom('chn', 'CH', 'CHNA', '中国', 'C1N', ''), fc.string({ maxLength: 5 }).filter((s) => !/^[A-Z]{3}$/.test(s))) } as const;
const IDENTIFIER: Schema = { type: req(oneOf(IDENTIFIER_TYPES)), value: req(str(32, { notEmpty: true })), country: opt(COUNTRY) };
const PERSON: Schema = { role: req(oneOf(PERSON_ROLES)), name: req(str(200, { notEmpty: true, trimmedRequired: true })), identifier: req({ kind: 'object', fields: IDENTIFIER }) };
const BASIS: Schema = { issuer: req(str(200, { notEmpty: true, trimmedRequired: true })), documentNumber: req(str(100, { notEmpty: true, trimmedRequired: true })) };
const personSample = affectedPerson(['LEGAL_AGENT']);
const measuresField: Field = { kind: 'array', of: oneOf(CONSUMPTION_MEASURES), min: 1, unique: true, sample: fc.constantFrom(...CONSUMPTION_MEASURES) };
const personsField: Field = { kind: 'array', of: { kind: 'object', fields: PERSON }, max: 50, sample: personSample };
const LISTING_TEXT = { obligation: opt(str(2000)), performanceStatus: opt(str(2000)), dishonestConduct: opt(str(2000)) };

const IMPOSE: Schema = {
  kind: req(oneOf(RESTRICTION_KINDS)),
  subject: req({
    kind: 'object',
    fields: {
      type: req(oneOf(SUBJECT_TYPES)),
      name: req(str(200, { notEmpty: true, trimmedRequired: true })),
      identifier: req({ kind: 'object', fields: IDENTIFIER }),
      sex: opt(oneOf(SEXES)),
      legalRepresentative: opt(str(200, { notEmpty: true })),
    },
  }),
  affectedPersons: opt(personsField),
  case: req({
    kind: 'object',
    fields: {
      caseNumber: req(str(100, { notEmpty: true, trimmedRequired: true })),
      enforcementBasis: req({ kind: 'object', fields: BASIS }),
      filingDate: req({ kind: 'date' }),
    },
  }),
  initiatedBy: opt(oneOf(INITIATORS)),
  ground: opt(oneOf(LISTING_GROUNDS)),
  extensionYears: opt({ kind: 'int', min: 0, max: 100 }),
  noExclusionAttested: opt({ kind: 'bool' }),
  ...LISTING_TEXT,
  measures: opt(measuresField),
  decidedAt: req({ kind: 'instant', parsed: true }),
  effectiveAt: opt({ kind: 'instant', parsed: true }),
  publishAfter: opt({ kind: 'instant', parsed: true }),
  expiresAt: opt({ kind: 'instant', parsed: true }),
};

const AMEND: Schema = {
  subject: opt({
    kind: 'object',
    fields: {
      name: opt(str(200, { notEmpty: true, trimmedRequired: true })),
      identifier: opt({ kind: 'object', fields: IDENTIFIER }),
      sex: opt(oneOf(SEXES)),
      legalRepresentative: opt(str(200, { notEmpty: true })),
    },
  }),
  affectedPersons: opt(personsField),
  case: opt({
    kind: 'object',
    fields: {
      caseNumber: opt(str(100, { notEmpty: true, trimmedRequired: true })),
      enforcementBasis: opt({ kind: 'object', fields: BASIS }),
      filingDate: opt({ kind: 'date' }),
    },
  }),
  ground: opt(oneOf(LISTING_GROUNDS)),
  extensionYears: { field: { kind: 'int', min: 0, max: 100 }, nullable: true },
  noExclusionAttested: opt({ kind: 'bool' }),
  ...LISTING_TEXT,
  measures: opt(measuresField),
  effectiveAt: opt({ kind: 'instant', parsed: true }),
  publishAfter: { field: { kind: 'instant', parsed: true }, nullable: true },
  expiresAt: { field: { kind: 'instant', parsed: true }, nullable: true },
};

const LIFT: Schema = {
  reason: req(oneOf(LIFT_REASONS)),
  note: opt(str(2000)),
  liftedAt: opt({ kind: 'instant', parsed: true }),
  includeLinked: opt({ kind: 'bool' }),
};

const PERMISSION: Schema = {
  measures: req(measuresField),
  validFrom: req({ kind: 'instant', parsed: true }),
  validUntil: req({ kind: 'instant', parsed: true }),
  reason: req(str(2000, { notEmpty: true, trimmedRequired: true })),
  personIdentifier: opt({ kind: 'object', fields: IDENTIFIER }),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const notUuid = fc.oneof(fc.string(), fc.uuid().map((u) => u.toUpperCase()), fc.uuid().map((u) => u.slice(1)), fc.uuid().map((u) => `{${u}}`)).filter((s) => !UUID.test(s));
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const RECEIPT: Schema = {
  partnerId: req(str(64, { notEmpty: true })),
  restrictionId: req({ kind: 'pattern', invalid: notUuid }),
  version: req({ kind: 'int', min: 1 }),
  eventId: req({ kind: 'pattern', invalid: notUuid }),
  outcome: req(oneOf(RECEIPT_OUTCOMES)),
  reason: opt(str(500, { notEmpty: true })),
  partnerReference: opt(str(200, { notEmpty: true })),
  time: req({ kind: 'instant', parsed: true }),
  keyId: req({ kind: 'pattern', invalid: fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }), fc.string({ minLength: 65, maxLength: 80 })).filter((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s)) }),
  signature: req({ kind: 'pattern', invalid: fc.oneof(fc.base64String({ maxLength: 84 }), fc.string()).filter((s) => !SIGNATURE.test(s)) }),
};

const PARTNER_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const badPartnerIds = fc
  .oneof(
    fc.string({ maxLength: 10 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
    hex(4, 8).map((h) => `FZ-${h}`),
    hex(4, 8).map((h) => `-${h}`),
    hex(4, 8).map((h) => `${h}-`),
    fc.constantFrom('a', 'ab', 'a_b', 'a.b', 'a b'),
    hex(65, 80),
  )
  .filter((s) => !PARTNER_ID.test(s));
const badKeyIds = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }), fc.constantFrom('a b', 'a/b', 'ключ'), fc.string({ minLength: 65, maxLength: 80 })).filter((s) => !KEY_ID.test(s));

function badPems(fx: FuzzFixtures): fc.Arbitrary<string> {
  const begin = '-----BEGIN PUBLIC KEY-----\n';
  const end = '\n-----END PUBLIC KEY-----\n';
  return fc.oneof(
    fc.string(),
    fc.constantFrom(...fx.otherPublicKeys),
    fc.base64String({ minLength: 4, maxLength: 80 }).map((body) => `${begin}${body}${end}`),
    // Cut into the END line (a changed key byte would still be some valid Ed25519 key).
    fc.tuple(fc.constantFrom(...fx.ed25519PublicKeys), fc.integer({ min: 2, max: 40 })).map(([pem, cut]) => pem.slice(0, pem.length - cut)),
    fc.constantFrom(...fx.ed25519PublicKeys).map((pem) => pem.replace('PUBLIC KEY', 'PRIVATE KEY')),
    fc.integer({ min: 1001, max: 2000 }).map((n) => `${begin}${'A'.repeat(n)}${end}`),
  ).filter((pem) => !fx.ed25519PublicKeys.includes(pem));
}

function partnerKeySchema(fx: FuzzFixtures): Schema {
  return { keyId: req({ kind: 'pattern', invalid: badKeyIds }), publicKeyPem: req({ kind: 'pattern', invalid: badPems(fx) }) };
}

const DEADLINE: Schema = { value: req({ kind: 'int', min: 1, max: 10000 }), unit: req(oneOf(DEADLINE_UNITS)) };
const kindsField: Field = { kind: 'array', of: oneOf(RESTRICTION_KINDS), min: 1, unique: true, sample: fc.constantFrom(...RESTRICTION_KINDS) };

function registerSchema(fx: FuzzFixtures): Schema {
  return {
    id: req({ kind: 'pattern', invalid: badPartnerIds }),
    name: req(str(200, { notEmpty: true })),
    sector: req(oneOf(PARTNER_SECTORS)),
    kinds: opt(kindsField),
    receiptDeadline: req({ kind: 'object', fields: DEADLINE }),
    publicKeys: req({ kind: 'array', of: { kind: 'object', fields: partnerKeySchema(fx) }, min: 1, max: 10, sample: validPartnerKeys(fx) }),
  };
}

const UPDATE_PARTNER: Schema = {
  name: opt(str(200, { notEmpty: true })),
  kinds: opt(kindsField),
  receiptDeadline: opt({ kind: 'object', fields: DEADLINE }),
  active: opt({ kind: 'bool' }),
};

const DIGEST: Schema = {
  bucket: req({ kind: 'int', min: 0, max: 255 }),
  count: req({ kind: 'int', min: 0 }),
  checksum: req({ kind: 'pattern', invalid: fc.oneof(hex(0, 15), hex(17, 20), hex(16, 16).map((h) => `${h.slice(0, 15)}g`), fc.string()).filter((s) => !/^[0-9a-fA-F]{16}$/.test(s)) }),
};
const RECONCILIATION: Schema = {
  buckets: req({ kind: 'array', of: { kind: 'object', fields: DIGEST }, max: 256, sample: fc.record({ bucket: fc.integer({ min: 0, max: 255 }), count: fc.constant(0), checksum: fc.constant('0000000000000000') }) }),
};

// --- changes that only the legal rules refuse (libs/domain) ------------------------------------------

const set = (path: Path, why: string) => (value: unknown): Change => ({ op: 'set', path, value, why: `${pathText(path)}: ${why}` });
const relative = (path: Path, from: Path, why: string) => (offsetMs: number): Change => ({ op: 'relative', path, from, offsetMs, why: `${pathText(path)}: ${why}` });
const anyInstant = (now: number) => fc.integer({ min: now - 50 * YEAR, max: now + 50 * YEAR }).map(iso);
const futureDate = (now: number) => fc.integer({ min: 2, max: 3650 }).map((days) => ymd(now + days * DAY));

function identifierChanges(base: Record<string, unknown>, now: number, kind: string): fc.Arbitrary<Change>[] {
  const subject = base.subject as Record<string, unknown>;
  const subjectType = subject.type as SubjectType;
  const changes: fc.Arbitrary<Change>[] = [
    badIdentifier(subjectType, now).map(({ value, what }) => set(['subject', 'identifier'], what)(value)),
  ];
  if (kind === 'DISHONEST_LISTING' && subjectType === 'PERSON') {
    changes.push(minorResidentId(now).map((value) => set(['subject', 'identifier'], 'a minor (List Rules Art. 4)')({ type: 'RESIDENT_ID', value })));
  }
  const persons = Array.isArray(base.affectedPersons) ? base.affectedPersons : [];
  persons.forEach((_person, i) => {
    changes.push(badIdentifier('PERSON', now).map(({ value, what }) => set(['affectedPersons', i, 'identifier'], what)(value)));
  });
  return changes;
}

function subjectTypeChanges(subjectType: SubjectType, prefix: Path = ['subject']): fc.Arbitrary<Change>[] {
  return subjectType === 'PERSON'
    ? [personName.map(set([...prefix, 'legalRepresentative'], 'legal representative of a person'))]
    : [fc.constantFrom(...SEXES).map(set([...prefix, 'sex'], 'sex of an organisation'))];
}

function disallowedPersons(kind: RestrictionKind, subjectType: SubjectType): fc.Arbitrary<Change> {
  const allowed: readonly string[] = ALLOWED_AFFECTED_ROLES[kind][subjectType];
  const refused = PERSON_ROLES.filter((role) => !allowed.includes(role));
  return fc.array(affectedPerson(refused), { minLength: 1, maxLength: 2 }).map(set(['affectedPersons'], `a role not allowed on ${kind} of a ${subjectType}`));
}

function imposeDomainChanges(now: number) {
  return (raw: unknown): fc.Arbitrary<Change>[] => {
    const base = raw as Record<string, unknown>;
    const kind = base.kind as RestrictionKind;
    const subjectType = (base.subject as { type: SubjectType }).type;
    const changes: fc.Arbitrary<Change>[] = [
      fc.integer({ min: DAY, max: 50 * YEAR }).map((ms) => set(['decidedAt'], 'in the future')(iso(now + ms))),
      fc.integer({ min: 400 * DAY, max: 200 * YEAR }).map((ms) => set(['decidedAt'], 'before the filing date')(iso(now - ms))),
      fc.integer({ min: 1000, max: 50 * YEAR }).map((ms) => relative(['effectiveAt'], ['decidedAt'], 'before decidedAt')(-ms)),
      futureDate(now).map(set(['case', 'filingDate'], 'after decidedAt')),
      ...identifierChanges(base, now, kind),
      ...subjectTypeChanges(subjectType),
      disallowedPersons(kind, subjectType),
    ];
    if (kind !== 'DISHONEST_LISTING') {
      changes.push(
        fc.constantFrom(...LISTING_GROUNDS).map(set(['ground'], `ground on ${kind}`)),
        fc.integer({ min: 0, max: 100 }).map(set(['extensionYears'], `extension on ${kind}`)),
        fc.boolean().map(set(['noExclusionAttested'], `attestation on ${kind}`)),
        fc.tuple(fc.constantFrom('obligation', 'performanceStatus', 'dishonestConduct'), fc.string({ maxLength: 50 })).map(([field, text]) => set([field], `listing text on ${kind}`)(text)),
        anyInstant(now).map(set(['publishAfter'], `grace period on ${kind}`)),
      );
    }
    if (kind === 'EXIT_BAN') {
      changes.push(
        uniqueSubset(CONSUMPTION_MEASURES).map(set(['measures'], 'measures on an exit ban')),
        fc.integer({ min: 0, max: 50 * YEAR }).map((ms) => relative(['expiresAt'], ['decidedAt'], 'not after effectiveAt')(-ms)),
      );
      if (subjectType === 'ORGANISATION') changes.push(fc.constant(set(['affectedPersons'], 'no persons on an organisation exit ban')([])));
    } else {
      changes.push(anyInstant(now).map(set(['expiresAt'], `expiry on ${kind}`)));
    }
    if (kind === 'DISHONEST_LISTING') {
      changes.push(
        fc.constant<Change>({ op: 'delete', path: ['ground'], why: 'ground: left out of a listing' }),
        fc.oneof(fc.constant(0), fc.integer({ min: 4, max: 100 })).map(set(['extensionYears'], 'extension outside 1–3 years')),
        fc.constant(set(['ground'], 'ABLE_BUT_REFUSES without the Art. 3 attestation')('ABLE_BUT_REFUSES')),
        fc.oneof(fc.integer({ min: -50 * YEAR, max: 27 * DAY }), fc.integer({ min: 95 * DAY, max: 50 * YEAR })).map((ms) => relative(['publishAfter'], ['decidedAt'], 'grace period outside 1–3 months')(ms)),
      );
    }
    return changes;
  };
}

function amendDomainChanges(target: Target, now: number): fc.Arbitrary<Change>[] {
  const decidedAt = Date.parse(target.decidedAt);
  const changes: fc.Arbitrary<Change>[] = [
    fc.integer({ min: 1000, max: 50 * YEAR }).map((ms) => set(['effectiveAt'], 'before decidedAt')(iso(decidedAt - ms))),
    futureDate(now).map(set(['case', 'filingDate'], 'after decidedAt')),
    badIdentifier('PERSON', now).map(({ value, what }) => set(['subject', 'identifier'], what)(value)),
    fc.tuple(personSample, badIdentifier('PERSON', now)).map(([person, { value, what }]) => set(['affectedPersons'], `person with ${what}`)([{ ...person, identifier: value }])),
    ...subjectTypeChanges('PERSON'),
    disallowedPersons(target.kind, 'PERSON'),
    fc.oneof(anyInstant(now), fc.constant(null)).map(set(['publishAfter'], 'grace period after publication')),
    uniqueSubset(CONSUMPTION_MEASURES).map(set(['measures'], `measures on ${target.kind}`)),
  ];
  if (target.kind === 'DISHONEST_LISTING') {
    changes.push(
      fc.oneof(anyInstant(now), fc.constant(null)).map(set(['expiresAt'], 'expiry on a listing')),
      fc.oneof(fc.constant(0), fc.integer({ min: 4, max: 100 })).map(set(['extensionYears'], 'extension outside 1–3 years')),
      fc.constant(set(['ground'], 'ABLE_BUT_REFUSES without the Art. 3 attestation')('ABLE_BUT_REFUSES')),
      minorResidentId(now).map((value) => set(['subject', 'identifier'], 'a minor (List Rules Art. 4)')({ type: 'RESIDENT_ID', value })),
    );
  } else {
    changes.push(
      fc.constantFrom(...LISTING_GROUNDS).map(set(['ground'], `ground on ${target.kind}`)),
      fc.integer({ min: 0, max: 100 }).map(set(['extensionYears'], `extension on ${target.kind}`)),
      fc.boolean().map(set(['noExclusionAttested'], `attestation on ${target.kind}`)),
      fc.tuple(fc.constantFrom('obligation', 'performanceStatus', 'dishonestConduct'), fc.string({ maxLength: 50 })).map(([field, text]) => set([field], `listing text on ${target.kind}`)(text)),
      fc.integer({ min: 0, max: 50 * YEAR }).map((ms) => set(['expiresAt'], 'not after effectiveAt')(iso(decidedAt - ms))),
    );
  }
  return changes;
}

function liftDomainChanges(target: Target, now: number): fc.Arbitrary<Change>[] {
  const allowed = target.kind === 'DISHONEST_LISTING' ? LISTING_DELETION_REASONS.filter((r) => r !== 'TERM_EXPIRED') : COURT_LIFT_REASONS;
  const refused = LIFT_REASONS.filter((r) => !allowed.includes(r));
  const decidedAt = Date.parse(target.decidedAt);
  return [
    fc.constantFrom(...refused).map(set(['reason'], `not a reason to lift ${target.kind} by a court`)),
    fc.integer({ min: 1000, max: 50 * YEAR }).map((ms) => set(['liftedAt'], 'before decidedAt')(iso(decidedAt - ms))),
    fc.integer({ min: DAY, max: 50 * YEAR }).map((ms) => set(['liftedAt'], 'in the future')(iso(now + ms))),
  ];
}

function permissionDomainChanges(now: number): fc.Arbitrary<Change>[] {
  return [
    fc.integer({ min: 0, max: 30 * DAY }).map((ms) => relative(['validUntil'], ['validFrom'], 'not after validFrom')(-ms)),
    fc.integer({ min: DAY, max: 10 * YEAR }).map((ms) => set(['validUntil'], 'in the past')(iso(now - ms))),
    personIdentifier.map(set(['personIdentifier'], 'not one of the affected persons')),
    badIdentifier('PERSON', now).map(({ value, what }) => set(['personIdentifier'], what)(value)),
  ];
}

function receiptDomainChanges(fx: FuzzFixtures): fc.Arbitrary<Change>[] {
  return [
    fc.uuid().filter((u) => u !== fx.receipt.restrictionId).map(set(['restrictionId'], 'a restriction not routed to the partner')),
    fc.integer({ min: 2, max: 2 ** 31 }).map(set(['version'], 'a version never published')),
    fc.constantFrom(2 ** 53, 2 ** 53 + 2).map(set(['version'], 'beyond safe integers')),
    fc.uuid().filter((u) => u !== fx.receipt.eventId).map(set(['eventId'], 'another event')),
    charsOf(KEY_CHARS, 1, 20).filter((k) => k !== fx.partner.keyId).map(set(['keyId'], 'a key the partner does not have')),
    hex(6, 10).map((h) => set(['partnerId'], 'another partner')(`other-${h}`)),
    fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => set(['signature'], 'a signature of something else')(Buffer.from(bytes).toString('base64'))),
  ];
}

// --- headers ------------------------------------------------------------------------------------------

export interface HeaderChange {
  name: string;
  /** undefined removes the header. */
  value: string | undefined;
  why: string;
}

const ALL_ROLES: Role[] = ['court', 'partner', 'admin', 'supervisor', 'debtor'];

function authChanges(fx: FuzzFixtures, roles: readonly Role[]): fc.Arbitrary<HeaderChange> {
  const valid = fx.tokens[roles[0]];
  const wrongRoles = ALL_ROLES.filter((role) => !roles.includes(role));
  const auth = (why: string) => (value: string | undefined): HeaderChange => ({ name: 'authorization', value, why: `Authorization: ${why}` });
  return fc.oneof(
    fc.constant(auth('missing')(undefined)),
    fc.oneof(fc.string(), fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer null', 'Bearer undefined', 'Bearer a.b.c', 'Bearer ..')).map(auth('garbage')),
    fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !/\s/.test(s)).map((s) => auth('garbage bearer')(`Bearer ${s}`)),
    fc.constantFrom(`Token ${valid}`, `${valid}`, `Bearer ${valid} ${valid}`, `Bearer ${valid}x`, `Bearer ${valid.slice(0, -3)}`).map(auth('malformed')),
    // Not the last character of a segment: its low bits may be base64url padding, ignored when decoding.
    fc
      .integer({ min: 0, max: valid.length - 2 })
      .filter((i) => valid[i] !== '.' && valid[i + 1] !== '.')
      .map((i) => auth('a character changed')(`Bearer ${valid.slice(0, i)}${valid[i] === 'A' ? 'B' : 'A'}${valid.slice(i + 1)}`)),
    fc.constantFrom(...fx.brokenTokens).map((token) => auth('never authenticates')(`Bearer ${token}`)),
    ...(wrongRoles.length ? [fc.constantFrom(...wrongRoles).map((role) => auth(`role ${role} may not call it`)(`Bearer ${fx.tokens[role]}`))] : []),
  );
}

const BAD_MEDIA_TYPES = ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=fuzz', 'application/octet-stream', 'application/json-patch+json', 'application/jsonx', 'text/json', 'json', '*/*', 'application/*', 'text/html'];
const contentTypeChanges: fc.Arbitrary<HeaderChange> = fc.oneof(
  fc.constant<HeaderChange>({ name: 'content-type', value: undefined, why: 'Content-Type: missing' }),
  fc.constantFrom(...BAD_MEDIA_TYPES).map((value): HeaderChange => ({ name: 'content-type', value, why: `Content-Type: ${value}` })),
);

const validIdempotencyKey = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[\x21-\x7e]+$/.test(s)).map((s) => `fuzz-${s}`);
const idempotencyChanges: fc.Arbitrary<HeaderChange> = fc
  .oneof(
    fc.integer({ min: 201, max: 400 }).map((n) => `k${'x'.repeat(n - 1)}`),
    fc.tuple(validIdempotencyKey, validIdempotencyKey).map(([a, b]) => `${a} ${b}`),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => /[^\x21-\x7e]/.test(s) && s.trim() !== '' && ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)),
  )
  .map((value) => ({ name: 'idempotency-key', value, why: 'Idempotency-Key: not 1–200 visible ASCII characters' }));

function ifMatchChanges(current: number, required: boolean): fc.Arbitrary<HeaderChange> {
  const garbage = fc.string({ minLength: 1 }).filter((s) => !/\d/.test(s) && s.trim() !== '');
  const stale = fc.integer({ min: 0, max: 999_999_999 }).filter((n) => n !== current);
  const options: fc.Arbitrary<HeaderChange>[] = [
    garbage.map((value) => ({ name: 'if-match', value, why: 'If-Match: not a version' })),
    fc.constantFrom('1234567890', '-1', '1.0', '0x1', '"1', 'W/', '*').filter((v) => v !== String(current)).map((value) => ({ name: 'if-match', value, why: 'If-Match: not a version' })),
    fc.tuple(stale, fc.constantFrom('%', '"%"', 'W/"%"')).map(([n, form]) => ({ name: 'if-match', value: form.replace('%', String(n)), why: `If-Match: stale (current ${current})` })),
  ];
  if (required) options.push(fc.constant({ name: 'if-match', value: undefined, why: 'If-Match: missing' }));
  // '"1' and friends parse as version 1; only the refused ones are kept.
  return fc.oneof(...options).filter((c) => c.value === undefined || !new RegExp(`^(?:W/)?"?0*${current}"?$`).test(c.value.trim()));
}

// --- assembling requests -------------------------------------------------------------------------

type Method = FuzzRequest['method'];

interface BodyEndpoint {
  endpoint: string;
  method: Method;
  roles: readonly Role[];
  /** A URL the body is valid for. */
  url: string;
  /** URLs refused whatever the body: malformed or unknown ids, a lifted or another court's restriction… */
  refusedUrls?: fc.Arbitrary<{ url: string; why: string; headers?: Record<string, string> }>;
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<Invalid>;
  knownKeys: readonly string[];
  /** Headers that belong to a valid request (If-Match, an Idempotency-Key…). */
  headers?: fc.Arbitrary<Record<string, string>>;
  headerChanges?: fc.Arbitrary<HeaderChange>[];
  /** Valid tokens of the right role that this endpoint still refuses (another court, an unregistered court). */
  refusedTokens?: string[];
}

function applyHeaders(headers: Record<string, string>, changes: readonly HeaderChange[]): Record<string, string> {
  const out = { ...headers };
  for (const change of changes) {
    if (change.value === undefined) delete out[change.name];
    else out[change.name] = change.value;
  }
  return out;
}

/** Malformed JSON text: a strict prefix of an object, or an object followed by more. */
function malformedJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ payload: string; why: string }> {
  return valid.chain((body) => {
    const text = toJson(body);
    return fc.oneof(
      fc.integer({ min: 0, max: text.length - 1 }).map((n) => ({ payload: text.slice(0, n), why: `JSON cut after ${n} of ${text.length} characters` })),
      fc.constantFrom('}', ']', ',', 'x', '{}', '"', 'null', '0').map((more) => ({ payload: text + more, why: `JSON followed by ${JSON.stringify(more)}` })),
      fc.constant({ payload: text.replace(/"/g, "'"), why: 'single-quoted JSON' }),
    );
  });
}

/** Random JSON that is not an object made only of the endpoint's own fields (which might, by chance, be valid). */
function randomJson(knownKeys: readonly string[]): fc.Arbitrary<{ payload: string; why: string }> {
  return fc
    .oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>(null, [], 0, '', true, 'null'))
    .filter((value) => !(isObject(value) && Object.keys(value).every((key) => knownKeys.includes(key))))
    .map((value) => ({ payload: toJson(value), why: `random JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` }));
}

function bodyRequests(e: BodyEndpoint, fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const base = { authorization: `Bearer ${fx.tokens[e.roles[0]]}`, 'content-type': 'application/json' };
  const extra = e.headers ?? fc.constant({});
  const make = (url: string, headers: Record<string, string>, payload: string | undefined, why: string[]): FuzzRequest => ({ endpoint: e.endpoint, method: e.method, url, headers, payload, why, expect: 'refused' });
  const headerChange = fc.oneof(authChanges(fx, e.roles), contentTypeChanges, ...(e.headerChanges ?? []), ...(e.refusedTokens?.length ? [fc.constantFrom(...e.refusedTokens).map((t): HeaderChange => ({ name: 'authorization', value: `Bearer ${t}`, why: 'Authorization: a caller that may not do this' }))] : []));
  const options: fc.WeightedArbitrary<FuzzRequest>[] = [
    {
      weight: 12,
      arbitrary: fc.record({ invalid: e.invalid, headers: extra, more: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: headerChange }) }).map(({ invalid, headers, more }) =>
        make(e.url, applyHeaders({ ...base, ...headers }, more ? [more] : []), toJson(invalid.body), [...invalid.why, ...(more ? [more.why] : [])]),
      ),
    },
    {
      weight: 4,
      arbitrary: fc.record({ body: e.valid, headers: extra, changes: fc.array(headerChange, { minLength: 1, maxLength: 2 }) }).map(({ body, headers, changes }) =>
        make(e.url, applyHeaders({ ...base, ...headers }, changes), toJson(body), changes.map((c) => c.why)),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({ broken: fc.oneof(malformedJson(e.valid), randomJson(e.knownKeys)), headers: extra }).map(({ broken, headers }) => make(e.url, { ...base, ...headers }, broken.payload, [broken.why])),
    },
  ];
  if (e.refusedUrls) {
    options.push({
      weight: 3,
      arbitrary: fc.record({ target: e.refusedUrls, body: fc.oneof(e.valid.map((body) => ({ body, why: [] as string[] })), e.invalid), headers: extra }).map(({ target, body, headers }) =>
        make(target.url, { ...base, ...headers, ...target.headers }, toJson(body.body), [target.why, ...body.why]),
      ),
    });
  }
  return fc.oneof(...options);
}

type Query = [string, string][];
type QuerySchema = Record<string, { invalid: fc.Arbitrary<string>; required?: boolean }>;

const queryString = (query: Query) => (query.length ? `?${query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '');
const printable = (s: string) => wellFormed(s);
const badText = (max: number, notEmpty: boolean) => fc.oneof(fc.integer({ min: max + 1, max: max + 200 }).map((n) => 'q'.repeat(n)), ...(notEmpty ? [fc.constant('')] : []));
const badEnum = (values: readonly string[]) => invalidValues(oneOf(values)).map(({ value }) => value as string).filter(printable);
const badPattern = (pattern: RegExp) => fc.oneof(fc.string(), fc.constantFrom('0', '-1', '1.5', '01', ' 5', '5 ', '1e2', '', 'abc', '999999')).filter((s) => !pattern.test(s));

type QueryChange = { apply: (q: Query) => Query; why: string };

interface QueryEndpoint {
  endpoint: string;
  path: string;
  /** Empty for a public route (which then has no token to get wrong). */
  roles: readonly Role[];
  schema: QuerySchema;
  valid: fc.Arbitrary<Query>;
  /** Valid but odd queries: must be answered without a server error. */
  odd?: fc.Arbitrary<Query>;
  /** Rules across parameters. */
  changes?: fc.Arbitrary<QueryChange>[];
}

function queryRequests(e: QueryEndpoint, fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const headers: Record<string, string> = e.roles.length ? { authorization: `Bearer ${fx.tokens[e.roles[0]]}` } : {};
  const known = Object.keys(e.schema);
  const change: fc.Arbitrary<QueryChange> = fc.oneof(
    ...(e.changes ?? []),
    ...Object.entries(e.schema).map(([name, rule]) =>
      rule.invalid.map((value) => ({ apply: (q: Query) => [...q.filter(([k]) => k !== name), [name, value] as [string, string]], why: `${name}=${JSON.stringify(value)}: invalid` })),
    ),
    ...known.map((name) => fc.constant({ apply: (q: Query) => [...q, [name, 'x'] as [string, string], [name, 'y'] as [string, string]], why: `${name}: given twice` })),
    fc.tuple(unknownKey(known).filter(printable), fc.string()).map(([name, value]) => ({ apply: (q: Query) => [...q, [name, value] as [string, string]], why: `${name}: unknown parameter` })),
    ...Object.entries(e.schema)
      .filter(([, rule]) => rule.required)
      .map(([name]) => fc.constant({ apply: (q: Query) => q.filter(([k]) => k !== name), why: `${name}: required, left out` })),
  );
  const make = (query: Query, h: Record<string, string>, why: string[], expect: Expectation = 'refused'): FuzzRequest => ({ endpoint: e.endpoint, method: 'GET', url: `${e.path}${queryString(query)}`, headers: h, why, expect });
  const options: fc.WeightedArbitrary<FuzzRequest>[] = [
    {
      weight: 8,
      arbitrary: fc.record({ query: e.valid, changes: fc.array(change, { minLength: 1, maxLength: 3 }) }).map(({ query, changes }) =>
        make(changes.reduce((q, c) => c.apply(q), query), headers, changes.map((c) => c.why)),
      ),
    },
  ];
  if (e.roles.length) {
    options.push({ weight: 2, arbitrary: fc.record({ query: e.valid, auth: authChanges(fx, e.roles) }).map(({ query, auth }) => make(query, applyHeaders(headers, [auth]), [auth.why])) });
  }
  if (e.odd) options.push({ weight: 2, arbitrary: e.odd.map((query) => make(query, headers, ['valid but odd values'], 'answered')) });
  return fc.oneof(...options);
}

/** Path segments that are no id at all (malformed, over Fastify's 100-character parameter limit, bad percent-encoding). */
const malformedSegment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter(printable).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter(printable).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 300 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%2e%2e') },
).filter((segment) => segment !== '' && segment !== '.' && segment !== '..');

function restrictionIds(fx: FuzzFixtures, refusing: Target[], kind: string): fc.Arbitrary<{ id: string; why: string }> {
  const known = Object.values(fx.restrictions).map((t) => t.id);
  return fc.oneof(
    malformedSegment.filter((s) => !UUID.test(s)).map((id) => ({ id, why: `${kind} id: malformed` })),
    fc.constantFrom(...known).map((id) => ({ id: id.toUpperCase(), why: `${kind} id: upper case` })),
    fc.uuid().filter((id) => !known.includes(id)).map((id) => ({ id, why: `${kind} id: unknown` })),
    ...(refusing.length ? [fc.constantFrom(...refusing).map((t) => ({ id: t.id, why: `${kind} id: refuses this change (${t === fx.restrictions.foreign ? 'another court' : t.kind})` }))] : []),
  );
}

function correctionIds(fx: FuzzFixtures): fc.Arbitrary<{ id: string; why: string }> {
  const { id: filed } = fx.corrections.filed;
  return fc.oneof(
    malformedSegment.filter((s) => !UUID.test(s)).map((id) => ({ id, why: 'correction id: malformed' })),
    fc.constant({ id: filed.toUpperCase(), why: 'correction id: upper case' }),
    fc.uuid().filter((id) => id !== filed).map((id) => ({ id, why: 'correction id: unknown' })),
    fc.constant({ id: fx.restrictions.listing.id, why: 'correction id: a restriction id' }),
  );
}

function partnerIds(fx: FuzzFixtures): fc.Arbitrary<{ id: string; why: string }> {
  return fc.oneof(
    hex(6, 12).map((h) => ({ id: `nobody-${h}`, why: 'partner id: unknown' })),
    malformedSegment.filter((s) => s !== fx.partner.id).map((id) => ({ id, why: 'partner id: unknown, not even well-formed' })),
    fc.constantFrom('银行', 'bänk', '😀', 'Ａ銀行').map((id) => ({ id: encodeURIComponent(id), why: 'partner id: unknown, non-ASCII' })),
  );
}

// --- every endpoint ------------------------------------------------------------------------------

export function endpointArbitraries(fx: FuzzFixtures): Record<string, fc.Arbitrary<FuzzRequest>> {
  const { exitBan, listing, consumption, lifted, foreign } = fx.restrictions;
  const court: Role[] = ['court'];
  const writeHeaders = fc.record({ 'idempotency-key': validIdempotencyKey }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
  const courtRefused = [fx.foreignCourtTokens.unregisteredCourt];
  const ifMatch = (target: Target, required: boolean) =>
    fc.record({ 'if-match': fc.constantFrom(String(target.version), `"${target.version}"`, `W/"${target.version}"`), 'idempotency-key': validIdempotencyKey }, { requiredKeys: required ? ['if-match'] : [] }) as fc.Arbitrary<Record<string, string>>;
  const imposeBodies = validImposeBodies(fx.now);
  const anyImpose = fc.oneof(...Object.values(imposeBodies));
  const url = (id: string, suffix = '') => `/v1/restrictions/${id}${suffix}`;
  const refusing = (targets: Target[], suffix: string, what: string, headers?: Record<string, string>) =>
    restrictionIds(fx, targets, what).map(({ id, why }) => ({ url: url(id, suffix), why, headers }));

  const permissionChanges = permissionDomainChanges(fx.now);
  const perTarget = (targets: Target[], build: (t: Target) => BodyEndpoint) => fc.oneof(...targets.map((t) => bodyRequests(build(t), fx)));

  const amend = (target: Target): BodyEndpoint => {
    const domain = amendDomainChanges(target, fx.now);
    return {
    endpoint: 'PATCH /v1/restrictions/:id',
    method: 'PATCH',
    roles: court,
    url: url(target.id),
    refusedUrls: refusing([lifted, foreign], '', 'restriction', { 'if-match': '"2"' }),
    valid: validAmendBodies(target),
    invalid: invalidBodies(validAmendBodies(target), AMEND, () => domain),
    knownKeys: Object.keys(AMEND),
    headers: ifMatch(target, true),
    headerChanges: [ifMatchChanges(target.version, true), idempotencyChanges],
    refusedTokens: [...courtRefused, fx.foreignCourtTokens.otherCourt],
    };
  };
  const lift = (target: Target): BodyEndpoint => {
    const domain = liftDomainChanges(target, fx.now);
    return {
    endpoint: 'POST /v1/restrictions/:id/lift',
    method: 'POST',
    roles: court,
    url: url(target.id, '/lift'),
    refusedUrls: refusing([lifted, consumption, foreign], '/lift', 'restriction'),
    valid: validLiftBodies(target),
    invalid: invalidBodies(validLiftBodies(target), LIFT, () => domain),
    knownKeys: Object.keys(LIFT),
    headers: ifMatch(target, false),
    headerChanges: [ifMatchChanges(target.version, false), idempotencyChanges],
    refusedTokens: [...courtRefused, fx.foreignCourtTokens.otherCourt],
    };
  };

  return {
    'POST /v1/restrictions': bodyRequests(
      {
        endpoint: 'POST /v1/restrictions',
        method: 'POST',
        roles: court,
        url: '/v1/restrictions',
        valid: anyImpose,
        invalid: invalidBodies(anyImpose, IMPOSE, imposeDomainChanges(fx.now)),
        knownKeys: Object.keys(IMPOSE),
        headers: writeHeaders,
        headerChanges: [idempotencyChanges],
        refusedTokens: courtRefused,
      },
      fx,
    ),
    'PATCH /v1/restrictions/:id': perTarget([exitBan, listing], amend),
    'POST /v1/restrictions/:id/lift': perTarget([exitBan, listing], lift),
    'POST /v1/restrictions/:id/permissions': bodyRequests(
      {
        endpoint: 'POST /v1/restrictions/:id/permissions',
        method: 'POST',
        roles: court,
        url: url(consumption.id, '/permissions'),
        refusedUrls: refusing([exitBan, listing, lifted, foreign], '/permissions', 'restriction'),
        valid: validPermissionBodies(fx.now),
        invalid: invalidBodies(validPermissionBodies(fx.now), PERMISSION, () => permissionChanges),
        knownKeys: Object.keys(PERMISSION),
        headers: ifMatch(consumption, false),
        headerChanges: [ifMatchChanges(consumption.version, false), idempotencyChanges],
        refusedTokens: [...courtRefused, fx.foreignCourtTokens.otherCourt],
      },
      fx,
    ),
    'GET /v1/restrictions': queryRequests(
      {
        endpoint: 'GET /v1/restrictions',
        path: '/v1/restrictions',
        roles: court,
        schema: {
          kind: { invalid: badEnum(RESTRICTION_KINDS) },
          status: { invalid: badEnum(RESTRICTION_STATUSES) },
          idNumber: { invalid: badText(32, true) },
          caseNumber: { invalid: badText(100, true) },
          cursor: { invalid: badPattern(/^[0-9a-f-]{36}$/) },
          limit: { invalid: badPattern(/^(?:[1-9]\d?|1\d\d|200)$/) },
        },
        valid: fc
          .record(
            {
              kind: fc.constantFrom(...RESTRICTION_KINDS),
              status: fc.constantFrom(...RESTRICTION_STATUSES),
              idNumber: adultResidentId,
              caseNumber: fc.constant('(2026)京0108执1号'),
              cursor: fc.uuid(),
              limit: fc.integer({ min: 1, max: 200 }).map(String),
            },
            { requiredKeys: [] },
          )
          .map((q) => Object.entries(q) as Query),
        odd: fc
          .record({ idNumber: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 32 }).filter(printable), caseNumber: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter(printable) }, { requiredKeys: [] })
          .filter((q) => Object.keys(q).length > 0)
          .map((q) => Object.entries(q) as Query),
      },
      fx,
    ),
    'GET /v1/restrictions/:id': fc.oneof(
      restrictionIds(fx, [foreign], 'restriction').map((t) => ({ t, headers: { authorization: `Bearer ${fx.tokens.court}` } as Record<string, string> })),
      fc.record({ t: fc.constantFrom(exitBan, lifted).map((x) => ({ id: x.id, why: 'restriction id: own fixture' })), auth: fc.oneof(authChanges(fx, court), fc.constantFrom(fx.foreignCourtTokens.otherCourt, fx.foreignCourtTokens.unregisteredCourt).map((token): HeaderChange => ({ name: 'authorization', value: `Bearer ${token}`, why: 'Authorization: another court' }))) }).map(({ t, auth }) => ({
        t: { id: t.id, why: auth.why },
        headers: applyHeaders({ authorization: `Bearer ${fx.tokens.court}` }, [auth]),
      })),
    ).map(({ t, headers }): FuzzRequest => ({ endpoint: 'GET /v1/restrictions/:id', method: 'GET', url: url(t.id), headers, why: [t.why], expect: 'refused' })),
    'GET /v1/restrictions/:id/enforcement': fc.oneof(
      fc.record({ t: restrictionIds(fx, [foreign], 'restriction'), role: fc.constantFrom<Role>('court', 'supervisor') }).map(({ t, role }) => ({ t, headers: { authorization: `Bearer ${fx.tokens[role]}` } })),
      fc.record({ auth: authChanges(fx, ['court', 'supervisor']) }).map(({ auth }) => ({ t: { id: exitBan.id, why: auth.why }, headers: applyHeaders({ authorization: `Bearer ${fx.tokens.court}` }, [auth]) })),
    )
      // A supervisor may see every court's restrictions: for it, only a malformed or unknown id is refused.
      .filter(({ t, headers }) => !(headers.authorization === `Bearer ${fx.tokens.supervisor}` && t.id === foreign.id))
      .map(({ t, headers }): FuzzRequest => ({ endpoint: 'GET /v1/restrictions/:id/enforcement', method: 'GET', url: url(t.id, '/enforcement'), headers, why: [t.why], expect: 'refused' })),
    'POST /v1/receipts': receiptRequests(fx),
    'POST /v1/admin/partners': bodyRequests(
      {
        endpoint: 'POST /v1/admin/partners',
        method: 'POST',
        roles: ['admin'],
        url: '/v1/admin/partners',
        valid: validPartnerRegistrations(fx),
        invalid: invalidBodies(validPartnerRegistrations(fx), registerSchema(fx), (raw) => {
          const base = raw as { publicKeys: { keyId: string }[] };
          return [
            fc.constant(set(['id'], 'already registered')(fx.partner.id)),
            fc.constantFrom(...fx.otherPublicKeys).map(set(['publicKeys', 0, 'publicKeyPem'], 'not an Ed25519 key')),
            fc.constant(set(['publicKeys'], 'the same keyId twice')([...base.publicKeys, { ...base.publicKeys[0] }])),
          ];
        }),
        knownKeys: Object.keys(registerSchema(fx)),
      },
      fx,
    ),
    'PATCH /v1/admin/partners/:id': bodyRequests(
      {
        endpoint: 'PATCH /v1/admin/partners/:id',
        method: 'PATCH',
        roles: ['admin'],
        url: `/v1/admin/partners/${fx.partner.id}`,
        refusedUrls: partnerIds(fx).map(({ id, why }) => ({ url: `/v1/admin/partners/${id}`, why })),
        valid: validPartnerUpdates(),
        invalid: invalidBodies(validPartnerUpdates(), UPDATE_PARTNER),
        knownKeys: Object.keys(UPDATE_PARTNER),
      },
      fx,
    ),
    'GET /v1/admin/partners[/:id]': fc.oneof(
      partnerIds(fx).map(({ id, why }) => ({ url: `/v1/admin/partners/${id}`, headers: { authorization: `Bearer ${fx.tokens.admin}` }, why })),
      fc.record({ path: fc.constantFrom('/v1/admin/partners', `/v1/admin/partners/${fx.partner.id}`), auth: authChanges(fx, ['admin']) }).map(({ path, auth }) => ({
        url: path,
        headers: applyHeaders({ authorization: `Bearer ${fx.tokens.admin}` }, [auth]),
        why: auth.why,
      })),
    ).map(({ url: u, headers, why }): FuzzRequest => ({ endpoint: 'GET /v1/admin/partners[/:id]', method: 'GET', url: u, headers, why: [why], expect: 'refused' })),
    'POST /v1/admin/partners/:id/keys': bodyRequests(
      {
        endpoint: 'POST /v1/admin/partners/:id/keys',
        method: 'POST',
        roles: ['admin'],
        url: `/v1/admin/partners/${fx.partner.id}/keys`,
        refusedUrls: partnerIds(fx).map(({ id, why }) => ({ url: `/v1/admin/partners/${id}/keys`, why })),
        valid: validPartnerKeys(fx),
        invalid: invalidBodies(validPartnerKeys(fx), partnerKeySchema(fx), () => [fc.constant(set(['keyId'], 'already used')(fx.partner.keyId))]),
        knownKeys: ['keyId', 'publicKeyPem'],
      },
      fx,
    ),
    'DELETE /v1/admin/partners/:id/keys/:keyId': fc
      .oneof(
        fc.record({
          partner: fc.constant(fx.partner.id),
          key: fc.oneof(malformedSegment, charsOf(KEY_CHARS, 1, 20), fc.constantFrom('钥匙', 'ключ').map(encodeURIComponent)).filter((k) => k !== fx.partner.keyId),
          auth: fc.constant<HeaderChange | undefined>(undefined),
          why: fc.constant('key id: unknown'),
        }),
        fc.record({ partner: partnerIds(fx).map((p) => p.id), key: fc.constant(fx.partner.keyId), auth: fc.constant<HeaderChange | undefined>(undefined), why: fc.constant('partner id: unknown') }),
        authChanges(fx, ['admin']).map((auth) => ({ partner: fx.partner.id, key: fx.partner.keyId, auth: auth as HeaderChange | undefined, why: auth.why })),
      )
      .map(({ partner, key, auth, why }): FuzzRequest => ({
        endpoint: 'DELETE /v1/admin/partners/:id/keys/:keyId',
        method: 'DELETE',
        url: `/v1/admin/partners/${partner}/keys/${key}`,
        headers: applyHeaders({ authorization: `Bearer ${fx.tokens.admin}` }, auth ? [auth] : []),
        why: [why],
        expect: 'refused',
      })),
    'POST /v1/partners/me/reconciliations': bodyRequests(
      {
        endpoint: 'POST /v1/partners/me/reconciliations',
        method: 'POST',
        roles: ['partner'],
        url: '/v1/partners/me/reconciliations',
        valid: validReconciliations(),
        invalid: invalidBodies(validReconciliations(), RECONCILIATION),
        knownKeys: ['buckets'],
      },
      fx,
    ),
    'GET /v1/partners/me/restrictions': queryRequests(
      {
        endpoint: 'GET /v1/partners/me/restrictions',
        path: '/v1/partners/me/restrictions',
        roles: ['partner'],
        schema: {
          bucket: { invalid: badPattern(/^(?:\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/), required: true },
          cursor: { invalid: badPattern(/^[0-9a-f-]{36}$/) },
          limit: { invalid: badPattern(/^(?:[1-9]\d{0,2}|1\d{3}|2000)$/) },
        },
        valid: fc
          .record({ bucket: fc.integer({ min: 0, max: 255 }).map(String), cursor: fc.uuid(), limit: fc.integer({ min: 1, max: 2000 }).map(String) }, { requiredKeys: ['bucket'] })
          .map((q) => Object.entries(q) as Query),
      },
      fx,
    ),
    'GET /v1/supervision/*': fc.oneof(
      queryRequests(
        {
          endpoint: 'GET /v1/supervision/*',
          path: '/v1/supervision/coverage',
          roles: ['supervisor'],
          schema: { by: { invalid: badEnum(['partner', 'court', 'kind']) } },
          valid: fc.option(fc.constantFrom('partner', 'court', 'kind')).map((by) => (by ? [['by', by]] : []) as Query),
        },
        fx,
      ),
      queryRequests(
        {
          endpoint: 'GET /v1/supervision/*',
          path: '/v1/supervision/overdue',
          roles: ['supervisor'],
          schema: { partnerId: { invalid: badText(64, false) }, courtCode: { invalid: badText(32, false) }, limit: { invalid: badPattern(/^(?:[1-9]\d{0,2}|1000)$/) } },
          valid: fc
            .record({ partnerId: fc.constant(fx.partner.id), courtCode: fc.constant('110108'), limit: fc.integer({ min: 1, max: 1000 }).map(String) }, { requiredKeys: [] })
            .map((q) => Object.entries(q) as Query),
          odd: fc
            .record({ partnerId: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter(printable), courtCode: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter(printable) }, { requiredKeys: [] })
            .filter((q) => Object.keys(q).length > 0)
            .map((q) => Object.entries(q) as Query),
        },
        fx,
      ),
      queryRequests(
        {
          endpoint: 'GET /v1/supervision/*',
          path: '/v1/supervision/receipt-latency',
          roles: ['supervisor'],
          schema: { since: { invalid: fc.oneof(fc.constantFrom(...MALFORMED_INSTANTS), noDigits).filter(printable) } },
          valid: fc.option(fc.integer({ min: 0, max: 30 * DAY }).map((ms) => iso(fx.now - ms))).map((since) => (since ? [['since', since]] : []) as Query),
        },
        fx,
      ),
    ),
    ...correctionEndpoints(fx),
    'GET /v1/me/status': authChanges(fx, ['debtor']).map(
      (auth): FuzzRequest => ({ endpoint: 'GET /v1/me/status', method: 'GET', url: '/v1/me/status', headers: applyHeaders({ authorization: `Bearer ${fx.tokens.debtor}` }, [auth]), why: [auth.why], expect: 'refused' }),
    ),
    'GET /v1/public/dishonest-debtors': publicListRequests(fx),
    'unrouted, wrong method, metrics': routingRequests(fx),
  };
}

// --- correction requests (List Rules Arts. 11–12) and the public list ---------------------------------

const statement = (max: number) => str(max, { notEmpty: true, trimmedRequired: true });
const FILE_CORRECTION: Schema = { restrictionId: req({ kind: 'pattern', invalid: notUuid }), ground: req(oneOf(CORRECTION_GROUNDS)), statement: req(statement(5000)) };
const RECONSIDERATION: Schema = { statement: req(statement(5000)) };
const DECISION: Schema = { decision: req(oneOf(CORRECTION_DECISIONS)), reason: req(statement(5000)) };
const CARRY_OUT: Schema = {
  action: req(oneOf(CARRY_OUT_ACTIONS)),
  amend: opt({ kind: 'object', fields: AMEND }),
  liftReason: opt(oneOf(LIFT_REASONS)),
  note: opt(str(2000, { notEmpty: true })),
  includeLinked: opt({ kind: 'bool' }),
};
const reasonText = fc.oneof(fc.constantFrom('本人已于2026年3月1日全部履行判决确定的义务。', '经审查，异议成立。'), nonBlank(5000));

export function validCorrectionFilings(listingId: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({ restrictionId: fc.constant(listingId), ground: fc.constantFrom(...CORRECTION_GROUNDS), statement: reasonText });
}

export function validDecisions(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({ decision: fc.constantFrom(...CORRECTION_DECISIONS), reason: reasonText });
}

const validCarryOuts = fc.oneof(
  fc.record({ action: fc.constant('REVOKE'), note: reasonText, includeLinked: fc.boolean() }, { requiredKeys: ['action'] }),
  fc.record({ action: fc.constant('DELETE'), liftReason: fc.constantFrom(...CORRECTION_DELETION_REASONS), note: reasonText, includeLinked: fc.boolean() }, { requiredKeys: ['action', 'liftReason'] }),
  fc.record({ action: fc.constant('AMEND'), amend: fc.record({ subject: fc.record({ name: personName }) }) }),
);

function correctionEndpoints(fx: FuzzFixtures): Record<string, fc.Arbitrary<FuzzRequest>> {
  const { filed, freeListingId } = fx.corrections;
  const { exitBan, listing, lifted } = fx.restrictions;
  const idempotency = fc.record({ 'idempotency-key': validIdempotencyKey }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
  const ifMatch = fc.record({ 'if-match': fc.constantFrom(String(filed.version), `"${filed.version}"`), 'idempotency-key': validIdempotencyKey }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
  const courtAct = (act: string, valid: fc.Arbitrary<unknown>, schema: Schema): BodyEndpoint => ({
    endpoint: `POST /v1/corrections/:id/${act}`,
    method: 'POST',
    roles: ['court'],
    url: `/v1/corrections/${filed.id}/${act}`,
    refusedUrls: correctionIds(fx).map(({ id, why: w }) => ({ url: `/v1/corrections/${id}/${act}`, why: w })),
    valid,
    invalid: invalidBodies(valid, schema),
    knownKeys: Object.keys(schema),
    headers: ifMatch,
    headerChanges: [ifMatchChanges(filed.version, false), idempotencyChanges],
    refusedTokens: [fx.foreignCourtTokens.otherCourt, fx.foreignCourtTokens.unregisteredCourt],
  });
  const get = (endpoint: string, path: string, role: Role, ids: fc.Arbitrary<{ id: string; why: string }>, refusedTokens: string[]) =>
    fc
      .oneof(
        ids.map(({ id, why }) => ({ url: `${path}/${id}`, auth: undefined as HeaderChange | undefined, why })),
        fc.record({ url: fc.constantFrom(path, `${path}/${filed.id}`), auth: authChanges(fx, [role]) }).map(({ url, auth }) => ({ url, auth: auth as HeaderChange | undefined, why: auth.why })),
        fc.constantFrom(...refusedTokens).map((token) => ({ url: `${path}/${filed.id}`, auth: { name: 'authorization', value: `Bearer ${token}`, why: '' } as HeaderChange | undefined, why: 'Authorization: a caller who may not see it' })),
      )
      .map(({ url, auth, why }): FuzzRequest => ({ endpoint, method: 'GET', url, headers: applyHeaders({ authorization: `Bearer ${fx.tokens[role]}` }, auth ? [auth] : []), why: [why], expect: 'refused' }));
  const listQuery = {
    roles: ['court'] as Role[],
    schema: {
      status: { invalid: badEnum(CORRECTION_STATUSES) },
      overdue: { invalid: badEnum(['true', 'false']) },
      cursor: { invalid: badPattern(UUID) },
      limit: { invalid: badPattern(/^(?:[1-9]\d?|1\d\d|200)$/) },
    },
    valid: fc
      .record({ status: fc.constantFrom(...CORRECTION_STATUSES), overdue: fc.constantFrom('true', 'false'), cursor: fc.uuid(), limit: fc.integer({ min: 1, max: 200 }).map(String) }, { requiredKeys: [] })
      .map((q) => Object.entries(q) as Query),
  };
  return {
    'POST /v1/me/corrections': bodyRequests(
      {
        endpoint: 'POST /v1/me/corrections',
        method: 'POST',
        roles: ['debtor'],
        url: '/v1/me/corrections',
        valid: validCorrectionFilings(freeListingId),
        invalid: invalidBodies(validCorrectionFilings(freeListingId), FILE_CORRECTION, () => [
          fc.constant(set(['restrictionId'], 'a listing with an open request')(listing.id)),
          fc.constantFrom(exitBan.id, lifted.id).map(set(['restrictionId'], 'not a listing of the caller')),
          fc.uuid().map(set(['restrictionId'], 'no such restriction')),
        ]),
        knownKeys: Object.keys(FILE_CORRECTION),
        headers: idempotency,
        headerChanges: [idempotencyChanges],
        refusedTokens: [fx.otherDebtorToken],
      },
      fx,
    ),
    'GET /v1/me/corrections[/:id]': get('GET /v1/me/corrections[/:id]', '/v1/me/corrections', 'debtor', correctionIds(fx), [fx.otherDebtorToken]),
    'POST /v1/me/corrections/:id/reconsideration': bodyRequests(
      {
        endpoint: 'POST /v1/me/corrections/:id/reconsideration',
        method: 'POST',
        roles: ['debtor'],
        // Only a rejected request may be brought to reconsideration: the filed one refuses whatever the body.
        url: `/v1/me/corrections/${filed.id}/reconsideration`,
        refusedUrls: correctionIds(fx).map(({ id, why }) => ({ url: `/v1/me/corrections/${id}/reconsideration`, why })),
        valid: fc.record({ statement: reasonText }),
        invalid: invalidBodies(fc.record({ statement: reasonText }), RECONSIDERATION),
        knownKeys: ['statement'],
        headers: ifMatch,
        headerChanges: [ifMatchChanges(filed.version, false), idempotencyChanges],
        refusedTokens: [fx.otherDebtorToken],
      },
      fx,
    ),
    'GET /v1/corrections[/…]': fc.oneof(
      queryRequests({ endpoint: 'GET /v1/corrections[/…]', path: '/v1/corrections', ...listQuery }, fx),
      queryRequests({ endpoint: 'GET /v1/corrections[/…]', path: '/v1/corrections/reconsiderations', ...listQuery }, fx),
      get('GET /v1/corrections[/…]', '/v1/corrections', 'court', correctionIds(fx), [fx.foreignCourtTokens.otherCourt, fx.foreignCourtTokens.unregisteredCourt]),
    ),
    'POST /v1/corrections/:id/decision': bodyRequests(courtAct('decision', validDecisions(), DECISION), fx),
    // A filed request is neither accepted (to carry out) nor under reconsideration: refused whatever the body.
    'POST /v1/corrections/:id/carry-out|reconsideration-decision': fc.oneof(
      bodyRequests({ ...courtAct('carry-out', validCarryOuts, CARRY_OUT), endpoint: 'POST /v1/corrections/:id/carry-out|reconsideration-decision' }, fx),
      bodyRequests({ ...courtAct('reconsideration-decision', validDecisions(), DECISION), endpoint: 'POST /v1/corrections/:id/carry-out|reconsideration-decision' }, fx),
    ),
  };
}

function publicListRequests(fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const idNumber = fc.oneof(adultResidentId, uscc);
  return queryRequests(
    {
      endpoint: 'GET /v1/public/dishonest-debtors',
      path: '/v1/public/dishonest-debtors',
      roles: [],
      schema: {
        name: { invalid: badText(200, true) },
        idNumber: { invalid: badPattern(/^[0-9A-Za-z]{1,32}$/) },
        page: { invalid: badPattern(/^[1-9]\d{0,2}$/) },
      },
      valid: fc.oneof(
        fc.record({ name: personName, page: fc.integer({ min: 1, max: 10 }).map(String) }, { requiredKeys: ['name'] }),
        fc.record({ idNumber, name: personName, page: fc.integer({ min: 1, max: 999 }).map(String) }, { requiredKeys: ['idNumber'] }),
      ).map((q) => Object.entries(q) as Query),
      changes: [
        fc.constant({ apply: (q: Query) => q.filter(([k]) => k === 'page'), why: 'neither name nor idNumber' }),
        fc.constant({ apply: (q: Query) => q.filter(([k]) => k === 'page').map(([k, v]) => [k, v] as [string, string]).concat([['name', '\u3000 ']]), why: 'a blank name only' }),
        fc.integer({ min: 11, max: 999 }).map((page) => ({
          apply: (q: Query) => [['name', q.find(([k]) => k === 'name')?.[1] ?? '张三'], ['page', String(page)]] as Query,
          why: `page ${page} of a search by name alone`,
        })),
      ],
      odd: fc.record({ name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => printable(s) && s.trim() !== '') }).map((q) => Object.entries(q) as Query),
    },
    fx,
  );
}

function receiptRequests(fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const valid = validReceipts(fx);
  const resign = (body: unknown): unknown => {
    if (!isObject(body)) return body;
    const { signature: _signature, ...rest } = body;
    try {
      return { ...rest, signature: signDocument(rest, fx.partner.privateKeyPem) };
    } catch {
      return body;
    }
  };
  // Re-signing after the changes lets the receipt past the signature check, to the routing and version checks.
  const domain = receiptDomainChanges(fx);
  const invalid = fc.tuple(invalidBodies(valid, RECEIPT, () => domain), fc.boolean()).map(([inv, again]) =>
    again && !inv.why.some((w) => w.startsWith('signature') || w.startsWith('body')) ? { body: resign(inv.body), why: [...inv.why, 're-signed'] } : inv,
  );
  return bodyRequests(
    {
      endpoint: 'POST /v1/receipts',
      method: 'POST',
      roles: ['partner'],
      url: '/v1/receipts',
      valid,
      invalid,
      knownKeys: Object.keys(RECEIPT),
    },
    fx,
  );
}

function routingRequests(fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const anyToken = fc.constantFrom(...ALL_ROLES).map((role) => ({ authorization: `Bearer ${fx.tokens[role]}` }));
  const id = fx.restrictions.exitBan.id;
  const wrongMethod = fc.constantFrom<[Method, string]>(
    ['PUT', '/v1/restrictions'],
    ['DELETE', '/v1/restrictions'],
    ['PATCH', '/v1/restrictions'],
    ['PUT', `/v1/restrictions/${id}`],
    ['DELETE', `/v1/restrictions/${id}`],
    ['POST', `/v1/restrictions/${id}`],
    ['GET', `/v1/restrictions/${id}/lift`],
    ['GET', `/v1/restrictions/${id}/permissions`],
    ['GET', '/v1/receipts'],
    ['PUT', '/v1/receipts'],
    ['DELETE', `/v1/admin/partners/${fx.partner.id}`],
    ['PUT', `/v1/admin/partners/${fx.partner.id}`],
    ['GET', `/v1/admin/partners/${fx.partner.id}/keys`],
    ['GET', '/v1/partners/me/reconciliations'],
    ['POST', '/v1/partners/me/restrictions'],
    ['POST', '/v1/supervision/coverage'],
    ['POST', '/v1/public/event-keys'],
    ['DELETE', '/v1/public/event-keys'],
    ['POST', '/health/live'],
    ['POST', '/metrics'],
  );
  const unknownPath = fc
    .tuple(fc.constantFrom('', '/v1', '/v2', '/v0', '/V1', '/v1/admin', '/v1/partners'), fc.array(malformedSegment, { minLength: 1, maxLength: 3 }))
    .map(([prefix, segments]) => `${prefix}/${segments.join('/')}`)
    .filter((path) => !/^\/(?:v1\/(?:restrictions|receipts|admin\/partners|partners\/me|supervision|public)|health|metrics|docs)(?:\/|$)/.test(path));
  const withBody = (method: Method): Record<string, string> => (method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' });
  return fc.oneof(
    fc.record({ target: wrongMethod, headers: anyToken }).map(({ target: [method, path], headers }): FuzzRequest => ({
      endpoint: 'unrouted, wrong method, metrics',
      method,
      url: path,
      headers: { ...headers, ...withBody(method) },
      payload: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      why: [`${method} is not served on ${path}`],
      expect: 'refused',
    })),
    fc.record({ path: unknownPath, method: fc.constantFrom<Method>('GET', 'POST', 'PATCH', 'PUT', 'DELETE'), headers: anyToken }).map(({ path, method, headers }): FuzzRequest => ({
      endpoint: 'unrouted, wrong method, metrics',
      method,
      url: path,
      headers: { ...headers, ...withBody(method) },
      payload: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      why: ['no such route'],
      expect: 'refused',
    })),
    authChanges(fx, ['admin', 'supervisor']).map((auth): FuzzRequest => ({
      endpoint: 'unrouted, wrong method, metrics',
      method: 'GET',
      url: '/metrics',
      headers: applyHeaders({ authorization: `Bearer ${fx.tokens.admin}` }, [auth]),
      why: [auth.why],
      expect: 'refused',
    })),
  );
}

