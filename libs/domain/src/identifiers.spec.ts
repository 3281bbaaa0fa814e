import {
  ageOn,
  birthDateFromResidentId,
  checkIdentifierFitsSubject,
  maskIdentifier,
  residentIdCheckChar,
  usccCheckChar,
  validateIdentifier,
} from './identifiers';
import type { Identifier } from './restriction.types';
import { ADULT_ID, COMPANY_USCC, OTHER_USCC, domainErrorOf, residentId } from './testing/fixtures';

const NOW = new Date('2025-06-02T02:00:00.000Z');
const FIELD = 'subject.identifier.value';
const validate = (id: Identifier) => validateIdentifier(id, FIELD, NOW);
const refusal = (id: Identifier) => domainErrorOf(() => validate(id));

describe('check characters', () => {
  it.each([
    ['11010519491231002X', 'X'],
    ['440524188001010014', '4'],
  ])('GB 11643 check character of %s is %s', (id, check) => {
    expect(residentIdCheckChar(id.slice(0, 17))).toBe(check);
  });

  it.each([
    ['91350100M000100Y43', '3'],
    ['91110000802100433B', 'B'],
  ])('GB 32100 check character of %s is %s', (code, check) => {
    expect(usccCheckChar(code.slice(0, 17))).toBe(check);
  });

  it('refuses malformed input to the helpers', () => {
    expect(() => residentIdCheckChar('1101051949123100')).toThrow(RangeError);
    expect(() => usccCheckChar('91350100M000100I4')).toThrow(RangeError);
  });
});

describe('resident ID', () => {
  it('accepts a valid number and normalises case and spaces', () => {
    expect(validate({ type: 'RESIDENT_ID', value: ' 110105 19491231 002x ' })).toEqual({ type: 'RESIDENT_ID', value: ADULT_ID });
  });

  it.each([
    ['a wrong check character', '110105194912310021', /check character/],
    ['17 characters', '11010519491231002', /must be 18 characters, got 17/],
    ['19 characters', '11010519491231002X1', /must be 18 characters, got 19/],
    ['an X before the last place', '11010519491231X02X', /17 digits followed by a digit or X/],
    ['a letter other than X', '11010519491231002A', /17 digits followed by a digit or X/],
    ['30 February', residentId('19990230'), /not a real calendar date/],
    ['month 13', residentId('19991301'), /not a real calendar date/],
    ['a birth date in the future', residentId('20300101'), /in the future/],
    // Checksum-valid, but born 1880: the brief's "not before 1900" rule wins.
    ['a birth date before 1900', '440524188001010014', /before 1900/],
  ])('refuses %s', (_, value, message) => {
    const error = refusal({ type: 'RESIDENT_ID', value });
    expect(error).toMatchObject({ code: 'INVALID_RESIDENT_ID', field: FIELD });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(value);
  });

  it('accepts someone born today', () => {
    expect(validate({ type: 'RESIDENT_ID', value: residentId('20250602') }).value).toHaveLength(18);
  });

  it('refuses an issuing country', () => {
    expect(refusal({ type: 'RESIDENT_ID', value: ADULT_ID, country: 'CHN' })).toMatchObject({
      code: 'INVALID_RESIDENT_ID',
      field: 'subject.identifier.country',
    });
  });

  it('yields the birth date', () => {
    expect(birthDateFromResidentId('11010519491231002x')).toBe('1949-12-31');
    expect(domainErrorOf(() => birthDateFromResidentId('110105'))).toMatchObject({ code: 'INVALID_RESIDENT_ID' });
  });
});

describe('unified social credit code', () => {
  it.each([COMPANY_USCC, OTHER_USCC])('accepts %s', (value) => {
    expect(validate({ type: 'USCC', value })).toEqual({ type: 'USCC', value });
  });

  it('normalises lower case', () => {
    expect(validate({ type: 'USCC', value: '91350100m000100y43' }).value).toBe(COMPANY_USCC);
  });

  it.each([
    ['a wrong check character', '91350100M000100Y44', /check character/],
    ['a letter outside the alphabet (I)', '91350100M000100I43', /except I, O, S, V, Z/],
    ['punctuation', '91350100-000100Y43', /except I, O, S, V, Z/],
    ['17 characters', '91350100M000100Y4', /must be 18 characters/],
  ])('refuses %s', (_, value, message) => {
    const error = refusal({ type: 'USCC', value });
    expect(error).toMatchObject({ code: 'INVALID_USCC', field: FIELD });
    expect(error.message).toMatch(message);
  });
});

describe('passport', () => {
  it('accepts 5–20 letters or digits with an alpha-3 country', () => {
    expect(validate({ type: 'PASSPORT', value: 'e 1234567', country: ' chn' })).toEqual({ type: 'PASSPORT', value: 'E1234567', country: 'CHN' });
    expect(validate({ type: 'PASSPORT', value: 'A1234', country: 'GBR' }).value).toBe('A1234');
    expect(validate({ type: 'PASSPORT', value: 'A'.repeat(20), country: 'USA' }).value).toHaveLength(20);
  });

  it.each(['E123', 'A'.repeat(21), 'E12-4567'])('refuses the number %s', (value) => {
    expect(refusal({ type: 'PASSPORT', value, country: 'CHN' })).toMatchObject({ code: 'INVALID_PASSPORT', field: FIELD });
  });

  it.each([undefined, 'CN', 'C1N', 'CHNA'])('refuses the country %s', (country) => {
    expect(refusal({ type: 'PASSPORT', value: 'E1234567', country })).toMatchObject({
      code: 'INVALID_PASSPORT',
      field: 'subject.identifier.country',
    });
  });
});

it('refuses an unknown identifier type', () => {
  expect(refusal({ type: 'DRIVING_LICENCE', value: 'X' } as unknown as Identifier)).toMatchObject({
    code: 'IDENTIFIER_TYPE_MISMATCH',
    field: 'subject.identifier.type',
  });
});

describe('checkIdentifierFitsSubject', () => {
  const field = 'subject.identifier.type';
  it('lets persons use resident IDs or passports and organisations USCCs', () => {
    expect(() => checkIdentifierFitsSubject('PERSON', { type: 'RESIDENT_ID', value: ADULT_ID }, field)).not.toThrow();
    expect(() => checkIdentifierFitsSubject('PERSON', { type: 'PASSPORT', value: 'E1234567', country: 'CHN' }, field)).not.toThrow();
    expect(() => checkIdentifierFitsSubject('ORGANISATION', { type: 'USCC', value: COMPANY_USCC }, field)).not.toThrow();
  });

  it.each([
    ['PERSON', { type: 'USCC', value: COMPANY_USCC }],
    ['ORGANISATION', { type: 'RESIDENT_ID', value: ADULT_ID }],
    ['ORGANISATION', { type: 'PASSPORT', value: 'E1234567', country: 'CHN' }],
  ] as const)('refuses a %s identified by %o', (subjectType, id) => {
    expect(domainErrorOf(() => checkIdentifierFitsSubject(subjectType, id, field))).toMatchObject({ code: 'IDENTIFIER_TYPE_MISMATCH', field });
  });
});

describe('maskIdentifier', () => {
  it('keeps only the province of a resident ID: no region beyond it, no birth date, sequence or check character', () => {
    expect(maskIdentifier({ type: 'RESIDENT_ID', value: ADULT_ID })).toBe('11****************');
    expect(maskIdentifier({ type: 'RESIDENT_ID', value: '110105491231002' })).toBe('11*************');
  });
  it('keeps nothing of a residence permit whose province has a single region code (71, 81, 82, 83)', () => {
    expect(maskIdentifier({ type: 'RESIDENT_ID', value: '810000199001010012' })).toBe('*'.repeat(18));
  });
  it('keeps the first character of a passport when six or more stay hidden, nothing of a shorter one', () => {
    expect(maskIdentifier({ type: 'PASSPORT', value: 'E12345678', country: 'CHN' })).toBe('E********');
    expect(maskIdentifier({ type: 'PASSPORT', value: 'X12345', country: 'DEU' })).toBe('******');
  });
  it('returns a USCC unchanged: it is public', () => {
    expect(maskIdentifier({ type: 'USCC', value: COMPANY_USCC })).toBe(COMPANY_USCC);
  });
});

describe('ageOn', () => {
  it('counts completed years, increasing on the birthday', () => {
    expect(ageOn('2010-05-10', '2028-05-09')).toBe(17);
    expect(ageOn('2010-05-10', '2028-05-10')).toBe(18);
    expect(ageOn('2010-05-10', '2029-01-01')).toBe(18);
  });

  it('ages someone born on 29 February on 1 March in common years', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
    expect(ageOn('2008-02-29', '2028-02-28')).toBe(19);
    expect(ageOn('2008-02-29', '2028-02-29')).toBe(20);
  });

  it('reads an instant as its date in China', () => {
    expect(ageOn('2010-05-10', new Date('2028-05-09T15:59:59.999Z'))).toBe(17);
    expect(ageOn('2010-05-10', new Date('2028-05-09T16:00:00.000Z'))).toBe(18);
    expect(ageOn('2010-05-10', '2028-05-09T16:00:00.000Z')).toBe(18);
  });
});
