import { DomainError } from './domain-error';
import type { Identifier, SubjectType } from './restriction.types';
import { chinaDateOf, isRealDate } from './time';

// GB 11643-1999 citizen identity number.
const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK_CHARS = '10X98765432';
// GB 32100-2015 unified social credit code: no I, O, S, V, Z.
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const EARLIEST_BIRTH_DATE = '1900-01-01';

export function normaliseIdentifierValue(value: string): string {
  return String(value ?? '').replace(/\s+/g, '').toUpperCase();
}

export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('residentIdCheckChar needs exactly 17 digits');
  const sum = RESIDENT_WEIGHTS.reduce((acc, w, i) => acc + w * Number(first17[i]), 0);
  return RESIDENT_CHECK_CHARS[sum % 11];
}

export function usccCheckChar(first17: string): string {
  const values = [...first17].map((c) => USCC_ALPHABET.indexOf(c));
  if (values.length !== 17 || values.includes(-1)) throw new RangeError('usccCheckChar needs 17 characters of the USCC alphabet');
  const sum = USCC_WEIGHTS.reduce((acc, w, i) => acc + w * values[i], 0);
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * Normalises (trim, upper case, strip spaces) and validates an identifier.
 * `field` is the path of its value, e.g. `subject.identifier.value`. Messages never echo the number (PIPL).
 */
export function validateIdentifier(id: Identifier, field: string, now: Date = new Date()): Identifier {
  const value = normaliseIdentifierValue(id?.value);
  const countryField = `${field.replace(/\.value$/, '')}.country`;
  switch (id?.type) {
    case 'RESIDENT_ID':
      refuseCountry(id, 'INVALID_RESIDENT_ID', countryField);
      checkResidentId(value, field, now);
      return { type: 'RESIDENT_ID', value };
    case 'USCC':
      refuseCountry(id, 'INVALID_USCC', countryField);
      checkUscc(value, field);
      return { type: 'USCC', value };
    case 'PASSPORT': {
      if (!/^[A-Z0-9]{5,20}$/.test(value)) {
        throw new DomainError('INVALID_PASSPORT', 'Passport number must be 5–20 letters A–Z or digits', field);
      }
      const country = normaliseIdentifierValue(id.country ?? '');
      if (!/^[A-Z]{3}$/.test(country)) {
        throw new DomainError('INVALID_PASSPORT', 'Passport issuing country is required as an ISO 3166-1 alpha-3 code', countryField);
      }
      return { type: 'PASSPORT', value, country };
    }
    default:
      throw new DomainError('IDENTIFIER_TYPE_MISMATCH', `Identifier type must be one of RESIDENT_ID, USCC, PASSPORT`, field.replace(/\.value$/, '.type'));
  }
}

function refuseCountry(id: Identifier, code: 'INVALID_RESIDENT_ID' | 'INVALID_USCC', field: string): void {
  if (id.country !== undefined) throw new DomainError(code, 'Issuing country is recorded for passports only', field);
}

function checkResidentId(value: string, field: string, now: Date): void {
  const fail = (rule: string) => new DomainError('INVALID_RESIDENT_ID', `Resident ID ${rule}`, field);
  if (value.length !== 18) throw fail(`must be 18 characters, got ${value.length}`);
  if (!/^\d{17}[\dX]$/.test(value)) throw fail('must be 17 digits followed by a digit or X');
  const birth = birthDateOf(value);
  if (!isRealDate(+value.slice(6, 10), +value.slice(10, 12), +value.slice(12, 14))) {
    throw fail('birth date (characters 7–14) is not a real calendar date');
  }
  if (birth < EARLIEST_BIRTH_DATE) throw fail('birth date (characters 7–14) is before 1900');
  if (birth > chinaDateOf(now)) throw fail('birth date (characters 7–14) is in the future');
  if (residentIdCheckChar(value.slice(0, 17)) !== value[17]) throw fail('check character does not match (GB 11643 checksum)');
}

function checkUscc(value: string, field: string): void {
  const fail = (rule: string) => new DomainError('INVALID_USCC', `Unified social credit code ${rule}`, field);
  if (value.length !== 18) throw fail(`must be 18 characters, got ${value.length}`);
  if (![...value].every((c) => USCC_ALPHABET.includes(c))) throw fail('may only contain digits and letters except I, O, S, V, Z');
  if (usccCheckChar(value.slice(0, 17)) !== value[17]) throw fail('check character does not match (GB 32100 checksum)');
}

function birthDateOf(value: string): string {
  return `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
}

/** YYYY-MM-DD from characters 7–14; the number must have the resident-ID shape and a real date. */
export function birthDateFromResidentId(value: string): string {
  const v = normaliseIdentifierValue(value);
  if (!/^\d{17}[\dX]$/.test(v) || !isRealDate(+v.slice(6, 10), +v.slice(10, 12), +v.slice(12, 14))) {
    throw new DomainError('INVALID_RESIDENT_ID', 'Resident ID has no readable birth date');
  }
  return birthDateOf(v);
}

/**
 * Completed years on a date (YYYY-MM-DD, or an instant taken as its date in China).
 * The age increases on the birthday; someone born on 29 Feb gains a year on 1 Mar in common years.
 */
export function ageOn(birthDate: string, on: Date | string): number {
  const day = typeof on === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(on) ? on : chinaDateOf(new Date(on));
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const FITTING_TYPES: Record<SubjectType, readonly Identifier['type'][]> = {
  PERSON: ['RESIDENT_ID', 'PASSPORT'],
  ORGANISATION: ['USCC'],
};

/** `field` is the path of the identifier's type, e.g. `subject.identifier.type`. */
export function checkIdentifierFitsSubject(subjectType: SubjectType, identifier: Identifier, field: string): void {
  if (!FITTING_TYPES[subjectType]?.includes(identifier.type)) {
    const allowed = FITTING_TYPES[subjectType]?.join(' or ') ?? 'nothing';
    throw new DomainError('IDENTIFIER_TYPE_MISMATCH', `A ${subjectType} is identified by ${allowed}, not ${identifier.type}`, field);
  }
}

/**
 * Province codes (GB/T 2260) under which a single region code is issued: Taiwan, Hong Kong and Macau
 * residence permits (710000, 810000, 820000). Their prefix would give away all six region digits.
 */
const SINGLE_REGION_PROVINCES = new Set(['71', '81', '82', '83']);

/**
 * Person numbers masked for public surfaces and logs (PIPL Art. 51); a USCC is public.
 *
 * The public list also shows sex and age, and a search by full number confirms a guess, so the mask
 * must leave a prober at least 10^6 candidates (test: inquiry.int-spec "candidate space"):
 * - resident ID: only the province (characters 1–2) is kept, and nothing for 71/81/82/83. Candidates
 *   given the province, sex and age: county-level region codes in the province (≥ 16: Beijing,
 *   Tianjin and Shanghai have the fewest, 16 districts each) × birth dates giving that age (≥ 365)
 *   × sequence digits 15–16 (100) × a 17th digit of the right parity (5); the check character
 *   follows from the rest and adds nothing. ≥ 16 × 365 × 100 × 5 = 2,920,000. (Keeping the city,
 *   characters 1–4, would leave one region code in e.g. Dongguan 4419: 182,500; keeping the last four
 *   as before, 10 × 100 × 366 / 11 ≈ 3,300 at most.)
 * - passport: the first character only when at least 6 characters stay hidden (≥ 10^6 even if
 *   all are digits); a shorter number is masked whole.
 */
export function maskIdentifier(id: Identifier): string {
  const v = normaliseIdentifierValue(id.value);
  const keep = id.type === 'RESIDENT_ID' ? (SINGLE_REGION_PROVINCES.has(v.slice(0, 2)) ? 0 : 2) : id.type === 'PASSPORT' ? (v.length >= 7 ? 1 : 0) : v.length;
  if (keep >= v.length) return id.type === 'USCC' ? id.value : '*'.repeat(v.length);
  return v.slice(0, keep) + '*'.repeat(v.length - keep);
}
