import type { ImposeCommand, ImposeContext } from './restriction.commands';
import {
  ALL_MEASURES,
  amendRestriction,
  expireRestriction,
  expiryDue,
  grantPermission,
  imposeRestriction,
  isPublished,
  liftReasonsFor,
  liftRestriction,
} from './restriction';
import { CONSUMPTION_MEASURES, LISTING_DELETION_REASONS, type LiftReason, type PersonRole, type RestrictionState } from './restriction.types';
import {
  ADULT_ID,
  DECIDED_AT,
  NOW,
  aCase,
  aConsumptionCommand,
  aContext,
  aListingCommand,
  aPerson,
  aPriorListing,
  anAffectedPerson,
  anExitBanCommand,
  anOrganisation,
  domainErrorOf,
  residentId,
  rid,
} from './testing/fixtures';

const impose = (cmd: ImposeCommand, ctx: Partial<ImposeContext> = {}) => imposeRestriction(cmd, aContext(ctx));
const one = (cmd: ImposeCommand, ctx: Partial<ImposeContext> = {}) => impose(cmd, ctx)[0];
const refusal = (cmd: ImposeCommand, ctx: Partial<ImposeContext> = {}) => domainErrorOf(() => impose(cmd, ctx));
const people = (...roles: PersonRole[]) => roles.map((role, i) => anAffectedPerson(role, { identifier: rid(residentId('19800101', `45${i}`)) }));
const ORG_OFFICERS: PersonRole[] = ['LEGAL_REPRESENTATIVE', 'PRINCIPAL_PERSON_IN_CHARGE', 'DIRECTLY_RESPONSIBLE_PERSON'];

describe('imposeRestriction: dishonest listing', () => {
  it('creates the listing and its linked consumption restriction', () => {
    const [listing, linked] = impose(aListingCommand({ publishAfter: '2025-07-15T00:00:00+08:00' }));
    expect(listing).toMatchObject({
      id: 'r-1',
      kind: 'DISHONEST_LISTING',
      version: 1,
      status: 'ACTIVE',
      initiatedBy: 'EX_OFFICIO',
      ground: 'EVADES_ENFORCEMENT',
      decidedAt: DECIDED_AT,
      effectiveAt: DECIDED_AT,
      publishAfter: '2025-07-14T16:00:00.000Z',
      expiresAt: '2027-06-01T02:00:00.000Z',
    });
    expect(listing).not.toHaveProperty('measures');
    expect(linked).toEqual({
      id: 'r-2',
      kind: 'CONSUMPTION_RESTRICTION',
      version: 1,
      status: 'ACTIVE',
      subject: listing.subject,
      affectedPersons: [],
      case: listing.case,
      initiatedBy: 'EX_OFFICIO',
      measures: [...ALL_MEASURES],
      permissions: [],
      linkedListingId: 'r-1',
      decidedAt: listing.decidedAt,
      effectiveAt: listing.effectiveAt,
      publishAfter: listing.publishAfter,
    });
  });

  it('gives the linked consumption restriction the measures named in the command', () => {
    const [, linked] = impose(aListingCommand({ measures: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'] }));
    expect(linked.measures).toEqual(['AIR_TRAVEL', 'HIGH_SPEED_RAIL']);
    expect(domainErrorOf(() => impose(aListingCommand({ measures: [] })))).toMatchObject({ code: 'MEASURES_REQUIRED', field: 'measures' });
  });

  it('normalises strings, identifiers and instants, and leaves the command untouched', () => {
    const cmd = aListingCommand({
      subject: aPerson({ name: ' 张三 ', identifier: rid('110105 19491231002x') }),
      case: aCase({ caseNumber: ' （2025）京0105执1234号 ' }),
      decidedAt: '2025-06-01T10:00:00+08:00',
      obligation: '  ',
    });
    const before = structuredClone(cmd);
    const [listing] = impose(cmd);
    expect(cmd).toEqual(before);
    expect(listing.subject).toMatchObject({ name: '张三', identifier: { type: 'RESIDENT_ID', value: ADULT_ID } });
    expect(listing.case.caseNumber).toBe('（2025）京0105执1234号');
    expect(listing.decidedAt).toBe('2025-06-01T02:00:00.000Z');
    expect(listing).not.toHaveProperty('obligation');
  });

  it.each([undefined, 'BANKRUPT'])('requires exactly one known ground (got %s)', (ground) => {
    expect(refusal(aListingCommand({ ground: ground as never }))).toMatchObject({ code: 'GROUND_REQUIRED', field: 'ground' });
  });

  describe('term (List Rules Art. 2)', () => {
    it.each(['OBSTRUCTS_ENFORCEMENT', 'EVADES_ENFORCEMENT', 'VIOLATES_ASSET_REPORTING', 'VIOLATES_CONSUMPTION_ORDER', 'DEFAULTS_ON_SETTLEMENT'] as const)(
      '%s lasts two years from effectiveAt',
      (ground) => {
        expect(one(aListingCommand({ ground, effectiveAt: '2025-06-10T02:00:00.000Z' })).expiresAt).toBe('2027-06-10T02:00:00.000Z');
      },
    );

    it('ABLE_BUT_REFUSES has no term', () => {
      expect(one(aListingCommand({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true }))).not.toHaveProperty('expiresAt');
    });

    it.each([
      [1, '2028-06-01T02:00:00.000Z'],
      [3, '2030-06-01T02:00:00.000Z'],
    ])('an extension of %i year(s) is added', (extensionYears, expiresAt) => {
      expect(one(aListingCommand({ extensionYears })).expiresAt).toBe(expiresAt);
    });

    it.each([0, 4, 1.5, -1])('refuses an extension of %s years', (extensionYears) => {
      expect(refusal(aListingCommand({ extensionYears }))).toMatchObject({ code: 'EXTENSION_OUT_OF_RANGE', field: 'extensionYears' });
    });

    it.each([
      ['2024-02-29T02:00:00.000Z', undefined, '2026-02-28T02:00:00.000Z'],
      ['2024-02-29T02:00:00.000Z', 2, '2028-02-29T02:00:00.000Z'],
      // 04:00 on 29 Feb in China is still 28 Feb in UTC: the China date decides.
      ['2024-02-28T20:00:00.000Z', undefined, '2026-02-27T20:00:00.000Z'],
    ])('a term starting %s (extension %s) ends %s', (decidedAt, extensionYears, expiresAt) => {
      const cmd = aListingCommand({ decidedAt, extensionYears, case: aCase({ filingDate: '2024-01-01' }) });
      expect(one(cmd).expiresAt).toBe(expiresAt);
    });

    it('is computed, never given by the court', () => {
      expect(refusal(aListingCommand({ expiresAt: '2027-01-01T00:00:00.000Z' }))).toMatchObject({ code: 'EXPIRY_NOT_ALLOWED', field: 'expiresAt' });
    });
  });

  describe('ground ABLE_BUT_REFUSES (List Rules Art. 3)', () => {
    it.each([undefined, false])('requires the court to attest no exclusion applies (got %s)', (noExclusionAttested) => {
      expect(refusal(aListingCommand({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested }))).toMatchObject({
        code: 'EXCLUSION_ATTESTATION_REQUIRED',
        field: 'noExclusionAttested',
      });
    });

    it('allows no extension', () => {
      const cmd = aListingCommand({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true, extensionYears: 1 });
      expect(refusal(cmd)).toMatchObject({ code: 'TERM_NOT_ALLOWED_FOR_GROUND', field: 'extensionYears' });
    });
  });

  describe('minors (List Rules Art. 4)', () => {
    const minor = aPerson({ identifier: rid(residentId('20100510')) });
    const listOn = (decidedAt: string) => aListingCommand({ subject: minor, decidedAt });
    const later = { now: new Date('2028-06-01T00:00:00Z') };

    it('refuses a debtor under 18 on the decision date', () => {
      expect(refusal(aListingCommand({ subject: minor }))).toMatchObject({ code: 'SUBJECT_IS_MINOR', field: 'subject.identifier.value' });
      expect(refusal(listOn('2028-05-09T10:00:00+08:00'), later)).toMatchObject({ code: 'SUBJECT_IS_MINOR' });
    });

    it('lists them from their 18th birthday, China time', () => {
      expect(one(listOn('2028-05-10T00:30:00+08:00'), later).status).toBe('ACTIVE');
    });

    it('does not restrict consumption or exit of minors by this rule', () => {
      expect(one(aConsumptionCommand({ subject: minor })).status).toBe('ACTIVE');
      expect(one(anExitBanCommand({ subject: minor })).status).toBe('ACTIVE');
    });

    it('cannot check a passport holder, who has no birth date on record', () => {
      const subject = aPerson({ identifier: { type: 'PASSPORT', value: 'E1234567', country: 'CHN' } });
      expect(one(aListingCommand({ subject })).subject.identifier).toEqual({ type: 'PASSPORT', value: 'E1234567', country: 'CHN' });
    });
  });

  describe('grace period before publication', () => {
    it.each([
      ['half a month', '2025-06-16T10:00:00+08:00'],
      ['a day short of a month', '2025-06-30T23:59:59+08:00'],
      ['3 months and a day', '2025-09-02T00:00:00+08:00'],
      ['4 months', '2025-10-01T10:00:00+08:00'],
      ['before the decision', '2025-05-01T10:00:00+08:00'],
    ])('refuses %s', (_, publishAfter) => {
      expect(refusal(aListingCommand({ publishAfter }))).toMatchObject({ code: 'GRACE_PERIOD_OUT_OF_RANGE', field: 'publishAfter' });
    });

    it.each([
      ['1 month, any hour of that date', '2025-07-01T00:00:00+08:00'],
      ['2 months', '2025-08-01T10:00:00+08:00'],
      ['3 months, any hour of that date', '2025-09-01T23:59:00+08:00'],
    ])('accepts %s', (_, publishAfter) => {
      expect(impose(aListingCommand({ publishAfter })).map((r) => r.publishAfter)).toEqual([
        new Date(publishAfter).toISOString(),
        new Date(publishAfter).toISOString(),
      ]);
    });
  });

  it('ends a month on the last day of a shorter month (Civil Code Art. 202)', () => {
    const decided = { decidedAt: '2025-01-31T10:00:00+08:00', case: aCase({ filingDate: '2025-01-02' }) };
    expect(one(aListingCommand({ ...decided, publishAfter: '2025-02-28T00:00:00+08:00' })).publishAfter).toBe('2025-02-27T16:00:00.000Z');
    expect(refusal(aListingCommand({ ...decided, publishAfter: '2025-02-27T23:00:00+08:00' }))).toMatchObject({ code: 'GRACE_PERIOD_OUT_OF_RANGE' });
  });

  describe('affected persons', () => {
    it("records an organisation's people and passes them to the consumption restriction", () => {
      const affectedPersons = people(...ORG_OFFICERS, 'ACTUAL_CONTROLLER');
      const [listing, linked] = impose(aListingCommand({ subject: anOrganisation(), affectedPersons }));
      expect(listing.affectedPersons).toEqual(affectedPersons);
      expect(linked.affectedPersons).toEqual(affectedPersons);
    });

    it('refuses a legal agent for an organisation', () => {
      const cmd = aListingCommand({ subject: anOrganisation(), affectedPersons: people('LEGAL_AGENT') });
      expect(refusal(cmd)).toMatchObject({ code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED', field: 'affectedPersons.0.role' });
    });

    it("carries a person's legal agent and no one else", () => {
      const [, linked] = impose(aListingCommand({ affectedPersons: people('LEGAL_AGENT') }));
      expect(linked.affectedPersons.map((p) => p.role)).toEqual(['LEGAL_AGENT']);
      expect(refusal(aListingCommand({ affectedPersons: people('ACTUAL_CONTROLLER') }))).toMatchObject({ code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED' });
    });
  });

  describe('re-listing', () => {
    const lateCtx = (priorListings = [aPriorListing()]) => ({ now: new Date('2025-08-01T00:00:00Z'), priorListings });
    const byCreditorOn = (date: string) =>
      aListingCommand({ initiatedBy: 'CREDITOR_APPLICATION', decidedAt: `${date}T10:00:00+08:00` });

    it('refuses a second active listing in the same case', () => {
      const ctx = { priorListings: [aPriorListing({ status: 'ACTIVE', liftReason: undefined, liftedAt: undefined })] };
      expect(refusal(aListingCommand(), ctx)).toMatchObject({ code: 'ALREADY_LISTED', field: 'case.caseNumber' });
    });

    it('allows a listing in another case', () => {
      const ctx = { priorListings: [aPriorListing({ status: 'ACTIVE', caseNumber: '（2024）京0105执1号' })] };
      expect(impose(aListingCommand(), ctx)).toHaveLength(2);
    });

    it("bars the creditor's application within 6 months of a deletion at its request (List Rules Art. 10)", () => {
      expect(refusal(byCreditorOn('2025-07-09'), lateCtx())).toMatchObject({ code: 'RELISTING_BARRED', field: 'initiatedBy' });
    });

    it('allows it from 6 months on', () => {
      expect(impose(byCreditorOn('2025-07-10'), lateCtx())[0].initiatedBy).toBe('CREDITOR_APPLICATION');
    });

    it('allows the court to re-list ex officio', () => {
      expect(impose(aListingCommand({ decidedAt: '2025-07-09T10:00:00+08:00' }), lateCtx())).toHaveLength(2);
    });

    it('does not bar after deletions for other reasons', () => {
      expect(impose(byCreditorOn('2025-07-09'), lateCtx([aPriorListing({ liftReason: 'PERFORMED' })]))).toHaveLength(2);
    });

    it('treats an unknown deletion date as recent', () => {
      expect(refusal(byCreditorOn('2025-07-10'), lateCtx([aPriorListing({ liftedAt: undefined })]))).toMatchObject({ code: 'RELISTING_BARRED' });
    });
  });
});

describe('imposeRestriction: consumption restriction', () => {
  it('restricts all 11 measures by default and ends only by lifting', () => {
    const [restriction, ...rest] = impose(aConsumptionCommand());
    expect(rest).toEqual([]);
    expect(restriction.measures).toEqual([...CONSUMPTION_MEASURES]);
    expect(restriction.measures).toHaveLength(11);
    expect(restriction).toMatchObject({ permissions: [], version: 1, status: 'ACTIVE' });
    expect(restriction).not.toHaveProperty('linkedListingId');
    expect(restriction).not.toHaveProperty('expiresAt');
  });

  it.each([
    [[], 'MEASURES_REQUIRED', 'measures'],
    [['AIR_TRAVEL', 'AIR_TRAVEL'], 'INVALID_MEASURES', 'measures.1'],
    [['AIR_TRAVEL', 'YACHTS'], 'INVALID_MEASURES', 'measures.1'],
  ])('refuses measures %o', (measures, code, field) => {
    expect(refusal(aConsumptionCommand({ measures: measures as never }))).toMatchObject({ code, field });
  });

  it("restricts an organisation's four responsible persons (Consumption Rules Art. 3 ¶2)", () => {
    const affectedPersons = people(...ORG_OFFICERS, 'ACTUAL_CONTROLLER');
    expect(one(aConsumptionCommand({ subject: anOrganisation(), affectedPersons })).affectedPersons).toEqual(affectedPersons);
    expect(refusal(aConsumptionCommand({ subject: anOrganisation(), affectedPersons: people('LEGAL_AGENT') }))).toMatchObject({
      code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED',
    });
  });

  it("restricts only a person's legal agent besides the person", () => {
    expect(one(aConsumptionCommand({ affectedPersons: people('LEGAL_AGENT') })).affectedPersons).toHaveLength(1);
    expect(refusal(aConsumptionCommand({ affectedPersons: people('LEGAL_REPRESENTATIVE') }))).toMatchObject({
      code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED',
    });
  });

  it.each([
    [{ expiresAt: '2026-01-01T00:00:00Z' }, 'EXPIRY_NOT_ALLOWED', 'expiresAt'],
    [{ publishAfter: '2025-07-15T00:00:00Z' }, 'GRACE_PERIOD_NOT_ALLOWED', 'publishAfter'],
    [{ ground: 'EVADES_ENFORCEMENT' }, 'GROUND_NOT_ALLOWED', 'ground'],
    [{ extensionYears: 1 }, 'GROUND_NOT_ALLOWED', 'extensionYears'],
    [{ noExclusionAttested: true }, 'GROUND_NOT_ALLOWED', 'noExclusionAttested'],
    [{ dishonestConduct: '转移财产' }, 'FIELD_NOT_ALLOWED', 'dishonestConduct'],
  ] as const)('refuses %o', (overrides, code, field) => {
    expect(refusal(aConsumptionCommand(overrides))).toMatchObject({ code, field });
  });
});

describe('imposeRestriction: exit ban', () => {
  it('bans a person, optionally until an end date', () => {
    const ban = one(anExitBanCommand({ expiresAt: '2025-12-01T00:00:00+08:00' }));
    expect(ban).toMatchObject({ kind: 'EXIT_BAN', expiresAt: '2025-11-30T16:00:00.000Z' });
    expect(ban).not.toHaveProperty('measures');
    expect(ban).not.toHaveProperty('permissions');
    expect(one(anExitBanCommand())).not.toHaveProperty('expiresAt');
  });

  it('requires the end to be after effectiveAt', () => {
    expect(refusal(anExitBanCommand({ expiresAt: DECIDED_AT }))).toMatchObject({ code: 'INVALID_DATE_RANGE', field: 'expiresAt' });
  });

  it.each([
    [{ measures: ['AIR_TRAVEL'] }, 'MEASURES_NOT_ALLOWED', 'measures'],
    [{ publishAfter: '2025-07-15T00:00:00Z' }, 'GRACE_PERIOD_NOT_ALLOWED', 'publishAfter'],
    [{ ground: 'EVADES_ENFORCEMENT' }, 'GROUND_NOT_ALLOWED', 'ground'],
  ] as const)('refuses %o', (overrides, code, field) => {
    expect(refusal(anExitBanCommand(overrides as Partial<ImposeCommand>))).toMatchObject({ code, field });
  });

  it('needs the persons to stop when the debtor is an organisation', () => {
    expect(refusal(anExitBanCommand({ subject: anOrganisation() }))).toMatchObject({ code: 'AFFECTED_PERSONS_REQUIRED', field: 'affectedPersons' });
  });

  it.each(ORG_OFFICERS)("stops an organisation's %s", (role) => {
    expect(one(anExitBanCommand({ subject: anOrganisation(), affectedPersons: people(role) })).affectedPersons[0].role).toBe(role);
  });

  it.each(['ACTUAL_CONTROLLER', 'LEGAL_AGENT'] as const)("does not stop an organisation's %s (Enforcement Interpretation Art. 24)", (role) => {
    const cmd = anExitBanCommand({ subject: anOrganisation(), affectedPersons: people('LEGAL_REPRESENTATIVE', role) });
    expect(refusal(cmd)).toMatchObject({ code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED', field: 'affectedPersons.1.role' });
  });

  it("stops a person's legal agent, nobody else", () => {
    expect(one(anExitBanCommand({ affectedPersons: people('LEGAL_AGENT') })).affectedPersons).toHaveLength(1);
    expect(refusal(anExitBanCommand({ affectedPersons: people('DIRECTLY_RESPONSIBLE_PERSON') }))).toMatchObject({
      code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED',
    });
  });
});

describe('imposeRestriction: identifiers, text and dates', () => {
  it.each([
    [{ subject: aPerson({ identifier: rid('110105194912310021') }) }, 'INVALID_RESIDENT_ID', 'subject.identifier.value'],
    [{ subject: anOrganisation({ identifier: { type: 'USCC', value: '91350100M000100Y44' } }) }, 'INVALID_USCC', 'subject.identifier.value'],
    [{ subject: anOrganisation({ identifier: rid(ADULT_ID) }) }, 'IDENTIFIER_TYPE_MISMATCH', 'subject.identifier.type'],
    [{ subject: aPerson({ identifier: { type: 'USCC', value: '91350100M000100Y43' } }) }, 'IDENTIFIER_TYPE_MISMATCH', 'subject.identifier.type'],
    [{ affectedPersons: [anAffectedPerson('LEGAL_AGENT', { identifier: rid('11010519491231002') })] }, 'INVALID_RESIDENT_ID', 'affectedPersons.0.identifier.value'],
    [{ affectedPersons: [anAffectedPerson('LEGAL_AGENT', { identifier: { type: 'USCC', value: '91350100M000100Y43' } })] }, 'IDENTIFIER_TYPE_MISMATCH', 'affectedPersons.0.identifier.type'],
    [{ subject: aPerson({ name: '  ' }) }, 'FIELD_REQUIRED', 'subject.name'],
    [{ affectedPersons: [anAffectedPerson('LEGAL_AGENT', { name: '' })] }, 'FIELD_REQUIRED', 'affectedPersons.0.name'],
    [{ case: aCase({ caseNumber: ' ' }) }, 'FIELD_REQUIRED', 'case.caseNumber'],
    [{ case: aCase({ enforcementBasis: { issuer: '', documentNumber: 'x' } }) }, 'FIELD_REQUIRED', 'case.enforcementBasis.issuer'],
    [{ case: aCase({ enforcementBasis: { issuer: 'x', documentNumber: ' ' } }) }, 'FIELD_REQUIRED', 'case.enforcementBasis.documentNumber'],
    [{ subject: anOrganisation({ sex: 'MALE' }) }, 'FIELD_NOT_ALLOWED', 'subject.sex'],
    [{ subject: aPerson({ legalRepresentative: '李四' }) }, 'FIELD_NOT_ALLOWED', 'subject.legalRepresentative'],
    [{ effectiveAt: '2025-06-01T01:59:59.999Z' }, 'INVALID_DATE_RANGE', 'effectiveAt'],
    [{ decidedAt: '2025-06-02T02:05:01.000Z' }, 'INVALID_DATE_RANGE', 'decidedAt'],
    [{ case: aCase({ filingDate: '2025-06-02' }) }, 'INVALID_DATE_RANGE', 'case.filingDate'],
    [{ case: aCase({ filingDate: '2025-02-30' }) }, 'INVALID_DATE', 'case.filingDate'],
    [{ decidedAt: '2025-02-30T10:00:00+08:00' }, 'INVALID_DATE', 'decidedAt'],
    [{ decidedAt: '2025-06-01' }, 'INVALID_DATE', 'decidedAt'],
  ] as const)('refuses %o', (overrides, code, field) => {
    expect(refusal(aConsumptionCommand(overrides as Partial<ImposeCommand>))).toMatchObject({ code, field });
  });

  it('tolerates a few minutes of clock skew and a filing on the decision day', () => {
    const cmd = aConsumptionCommand({ decidedAt: '2025-06-02T02:04:00.000Z', case: aCase({ filingDate: '2025-06-02' }) });
    expect(one(cmd).decidedAt).toBe('2025-06-02T02:04:00.000Z');
  });

  it('defaults effectiveAt to decidedAt and accepts a later one', () => {
    expect(one(aConsumptionCommand()).effectiveAt).toBe(DECIDED_AT);
    expect(one(aConsumptionCommand({ effectiveAt: '2025-06-05T00:00:00+08:00' })).effectiveAt).toBe('2025-06-04T16:00:00.000Z');
  });
});

describe('amendRestriction', () => {
  const [listing, linked] = impose(aListingCommand({ publishAfter: '2025-07-15T10:00:00+08:00' }));
  const amend = (state: RestrictionState, cmd: Parameters<typeof amendRestriction>[1], now = NOW) => amendRestriction(state, cmd, { now });
  const amendRefusal = (state: RestrictionState, cmd: Parameters<typeof amendRestriction>[1], now = NOW) =>
    domainErrorOf(() => amend(state, cmd, now));

  it('corrects recorded information, incrementing the version by exactly one', () => {
    const before = structuredClone(listing);
    const amended = amend(listing, { subject: { name: ' 张叁 ' }, dishonestConduct: '虚假诉讼' });
    expect(amended).toEqual({ ...listing, version: 2, subject: { ...listing.subject, name: '张叁' }, dishonestConduct: '虚假诉讼' });
    expect(amend(amended, { obligation: '支付 50,000 元' }).version).toBe(3);
    expect(listing).toEqual(before);
  });

  it('leaves a field alone when the patch value is undefined', () => {
    expect(amend(listing, { subject: { name: undefined }, ground: undefined }).subject.name).toBe(listing.subject.name);
  });

  it('re-validates with the same rules as imposing', () => {
    const minor = rid(residentId('20100510'));
    expect(amendRefusal(listing, { subject: { identifier: minor } })).toMatchObject({ code: 'SUBJECT_IS_MINOR', field: 'subject.identifier.value' });
    expect(amendRefusal(listing, { subject: { identifier: rid('110105194912310021') } })).toMatchObject({ code: 'INVALID_RESIDENT_ID' });
    expect(amendRefusal(listing, { subject: { name: ' ' } })).toMatchObject({ code: 'FIELD_REQUIRED', field: 'subject.name' });
    expect(amendRefusal(listing, { case: { filingDate: '2025-06-02' } })).toMatchObject({ code: 'INVALID_DATE_RANGE', field: 'case.filingDate' });
    expect(amendRefusal(listing, { extensionYears: 4 })).toMatchObject({ code: 'EXTENSION_OUT_OF_RANGE' });
    expect(amendRefusal(listing, { effectiveAt: '2025-05-01T00:00:00Z' })).toMatchObject({ code: 'INVALID_DATE_RANGE', field: 'effectiveAt' });
    expect(amendRefusal(listing, { measures: ['AIR_TRAVEL'] })).toMatchObject({ code: 'MEASURES_NOT_ALLOWED', field: 'measures' });
    expect(amendRefusal(linked, { ground: 'EVADES_ENFORCEMENT' })).toMatchObject({ code: 'GROUND_NOT_ALLOWED' });
  });

  it("recomputes a listing's term when the extension or effectiveAt changes", () => {
    const extended = amend(listing, { extensionYears: 2 });
    expect(extended.expiresAt).toBe('2029-06-01T02:00:00.000Z');
    expect(amend(extended, { extensionYears: null })).not.toHaveProperty('extensionYears');
    expect(amend(extended, { extensionYears: null }).expiresAt).toBe('2027-06-01T02:00:00.000Z');
    expect(amend(listing, { effectiveAt: '2025-06-03T02:00:00.000Z' }).expiresAt).toBe('2027-06-03T02:00:00.000Z');
  });

  it('recomputes the term when the ground changes', () => {
    expect(amendRefusal(listing, { ground: 'ABLE_BUT_REFUSES' })).toMatchObject({ code: 'EXCLUSION_ATTESTATION_REQUIRED' });
    const openEnded = amend(listing, { ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true });
    expect(openEnded).not.toHaveProperty('expiresAt');
    expect(amend(openEnded, { ground: 'OBSTRUCTS_ENFORCEMENT' }).expiresAt).toBe('2027-06-01T02:00:00.000Z');
  });

  it('refuses an expiry on a listing or a consumption restriction, allows one on an exit ban', () => {
    expect(amendRefusal(listing, { expiresAt: '2030-01-01T00:00:00Z' })).toMatchObject({ code: 'EXPIRY_NOT_ALLOWED' });
    expect(amendRefusal(linked, { expiresAt: '2030-01-01T00:00:00Z' })).toMatchObject({ code: 'EXPIRY_NOT_ALLOWED' });
    const ban = one(anExitBanCommand());
    const bounded = amend(ban, { expiresAt: '2026-01-01T00:00:00Z' });
    expect(bounded.expiresAt).toBe('2026-01-01T00:00:00.000Z');
    expect(amend(bounded, { expiresAt: null })).not.toHaveProperty('expiresAt');
  });

  it('changes the measures of a consumption restriction', () => {
    expect(amend(linked, { measures: ['AIR_TRAVEL'] }).measures).toEqual(['AIR_TRAVEL']);
    expect(amendRefusal(linked, { measures: [] })).toMatchObject({ code: 'MEASURES_REQUIRED' });
  });

  it('re-checks affected persons against the kind', () => {
    const ban = one(anExitBanCommand({ subject: anOrganisation(), affectedPersons: people('LEGAL_REPRESENTATIVE') }));
    expect(amendRefusal(ban, { affectedPersons: people('ACTUAL_CONTROLLER') })).toMatchObject({ code: 'AFFECTED_PERSON_ROLE_NOT_ALLOWED' });
    expect(amendRefusal(ban, { affectedPersons: [] })).toMatchObject({ code: 'AFFECTED_PERSONS_REQUIRED' });
  });

  it('changes publishAfter only before publication', () => {
    expect(amend(listing, { publishAfter: '2025-08-01T00:00:00+08:00' }).publishAfter).toBe('2025-07-31T16:00:00.000Z');
    expect(amend(listing, { publishAfter: null })).not.toHaveProperty('publishAfter');
    expect(amendRefusal(listing, { publishAfter: '2025-09-15T00:00:00+08:00' })).toMatchObject({ code: 'GRACE_PERIOD_OUT_OF_RANGE' });
    const afterPublication = new Date('2025-07-16T00:00:00Z');
    expect(amendRefusal(listing, { publishAfter: '2025-08-01T00:00:00+08:00' }, afterPublication)).toMatchObject({
      code: 'FIELD_NOT_AMENDABLE',
      field: 'publishAfter',
    });
    const publishedAtOnce = one(aListingCommand());
    expect(amendRefusal(publishedAtOnce, { publishAfter: '2025-08-01T00:00:00+08:00' })).toMatchObject({ code: 'FIELD_NOT_AMENDABLE' });
  });

  it('refuses to change the subject type or amend a lifted restriction', () => {
    expect(amendRefusal(listing, { subject: { type: 'ORGANISATION' } })).toMatchObject({ code: 'FIELD_NOT_AMENDABLE', field: 'subject.type' });
    const lifted = liftRestriction(listing, { reason: 'PERFORMED' }, { now: NOW });
    expect(amendRefusal(lifted, { obligation: 'x' })).toMatchObject({ code: 'ALREADY_LIFTED' });
  });
});

describe('liftRestriction', () => {
  const [listing, linked] = impose(aListingCommand());
  const standalone = one(aConsumptionCommand());
  const ban = one(anExitBanCommand({ expiresAt: '2025-12-01T00:00:00Z' }));
  const lift = (state: RestrictionState, reason: LiftReason, ctx: { now?: Date; system?: boolean } = {}) =>
    liftRestriction(state, { reason }, { now: NOW, ...ctx });
  const liftRefusal = (state: RestrictionState, reason: LiftReason, ctx: { now?: Date; system?: boolean } = {}) =>
    domainErrorOf(() => lift(state, reason, ctx));

  it('lifts with a reason, time and note, as a new version', () => {
    const lifted = liftRestriction(listing, { reason: 'PERFORMED', note: ' 已全部履行 ' }, { now: NOW });
    expect(lifted).toEqual({ ...listing, version: 2, status: 'LIFTED', liftedAt: NOW.toISOString(), liftReason: 'PERFORMED', liftNote: '已全部履行' });
    expect(listing.status).toBe('ACTIVE');
  });

  it('records a given lift time between decision and now', () => {
    expect(liftRestriction(listing, { reason: 'PERFORMED', liftedAt: '2025-06-01T12:00:00+08:00' }, { now: NOW }).liftedAt).toBe('2025-06-01T04:00:00.000Z');
    for (const liftedAt of ['2025-05-31T00:00:00Z', '2025-06-03T00:00:00Z']) {
      expect(domainErrorOf(() => liftRestriction(listing, { reason: 'PERFORMED', liftedAt }, { now: NOW }))).toMatchObject({
        code: 'INVALID_DATE_RANGE',
        field: 'liftedAt',
      });
    }
  });

  it('names the reasons allowed per kind', () => {
    expect(liftReasonsFor(listing)).toEqual([...LISTING_DELETION_REASONS]);
    expect([...liftReasonsFor(standalone)].sort()).toEqual(['CREDITOR_CONSENT', 'PERFORMED', 'REVOKED', 'SECURITY_PROVIDED']);
    expect([...liftReasonsFor(linked)].sort()).toEqual([...new Set([...LISTING_DELETION_REASONS, 'SECURITY_PROVIDED', 'CREDITOR_CONSENT'])].sort());
    expect([...liftReasonsFor(ban)].sort()).toEqual(['CREDITOR_CONSENT', 'PERFORMED', 'REVOKED', 'SECURITY_PROVIDED', 'TERM_EXPIRED']);
  });

  it.each(LISTING_DELETION_REASONS.filter((r) => r !== 'TERM_EXPIRED'))('deletes a listing for %s', (reason) => {
    expect(lift(listing, reason).liftReason).toBe(reason);
    expect(lift(linked, reason).liftReason).toBe(reason);
  });

  it.each([
    ['a listing', listing, 'SECURITY_PROVIDED'],
    ['a listing', listing, 'CREDITOR_CONSENT'],
    ['a stand-alone consumption restriction', standalone, 'CREDITOR_REQUEST'],
    ['a stand-alone consumption restriction', standalone, 'NO_ASSETS_FOUND'],
    ['a stand-alone consumption restriction', standalone, 'TERM_EXPIRED'],
    ['an exit ban', ban, 'NO_ASSETS_FOUND'],
    ['an exit ban', ban, 'EARLY_DELETION'],
  ] as const)('refuses to lift %s for %s', (_, state, reason) => {
    expect(liftRefusal(state, reason)).toMatchObject({ code: 'LIFT_REASON_NOT_ALLOWED', field: 'reason' });
  });

  it.each(['PERFORMED', 'SECURITY_PROVIDED', 'CREDITOR_CONSENT', 'REVOKED'] as const)('lifts consumption restrictions and exit bans for %s', (reason) => {
    expect(lift(standalone, reason).status).toBe('LIFTED');
    expect(lift(ban, reason).status).toBe('LIFTED');
  });

  it('reserves TERM_EXPIRED to the service, once the term has ended', () => {
    const afterTerm = new Date('2027-06-01T02:00:00.000Z');
    expect(liftRefusal(listing, 'TERM_EXPIRED', { now: afterTerm })).toMatchObject({ code: 'LIFT_REASON_RESERVED', field: 'reason' });
    expect(liftRefusal(listing, 'TERM_EXPIRED', { system: true })).toMatchObject({ code: 'LIFT_REASON_NOT_ALLOWED' });
    expect(lift(listing, 'TERM_EXPIRED', { now: afterTerm, system: true }).liftReason).toBe('TERM_EXPIRED');
    // The listing's consumption restriction has no term of its own: the listing's expiry does not end it.
    expect(liftRefusal(linked, 'TERM_EXPIRED', { now: afterTerm, system: true })).toMatchObject({ code: 'LIFT_REASON_NOT_ALLOWED' });
  });

  it('refuses to lift twice', () => {
    expect(liftRefusal(lift(listing, 'PERFORMED'), 'PERFORMED')).toMatchObject({ code: 'ALREADY_LIFTED' });
  });
});

describe('grantPermission (Consumption Rules Art. 8)', () => {
  const ctx = { now: NOW, newId: () => 'p-1' };
  const restriction = one(aConsumptionCommand({ subject: anOrganisation(), affectedPersons: people('LEGAL_REPRESENTATIVE'), measures: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'] }));
  const permit = (overrides: Partial<Parameters<typeof grantPermission>[1]> = {}, state = restriction) =>
    grantPermission(state, { measures: ['AIR_TRAVEL'], validFrom: '2025-06-10T00:00:00+08:00', validUntil: '2025-06-12T00:00:00+08:00', reason: '赴外地就医', ...overrides }, ctx);
  const permitRefusal = (overrides: Partial<Parameters<typeof grantPermission>[1]> = {}, state = restriction) =>
    domainErrorOf(() => permit(overrides, state));

  it('appends a time-boxed permission as a new version', () => {
    const granted = permit();
    expect(granted.version).toBe(restriction.version + 1);
    expect(granted.permissions).toEqual([
      {
        id: 'p-1',
        measures: ['AIR_TRAVEL'],
        validFrom: '2025-06-09T16:00:00.000Z',
        validUntil: '2025-06-11T16:00:00.000Z',
        reason: '赴外地就医',
        grantedAt: NOW.toISOString(),
      },
    ]);
    expect(permit({}, granted).permissions).toHaveLength(2);
    expect(restriction.permissions).toEqual([]);
  });

  it("may name one of the organisation's persons (Consumption Rules Art. 3 ¶2)", () => {
    const person = restriction.affectedPersons[0].identifier;
    const granted = permit({ personIdentifier: { type: 'RESIDENT_ID', value: person.value.toLowerCase() } });
    expect(granted.permissions?.[0].personIdentifier).toEqual(person);
    expect(permitRefusal({ personIdentifier: rid(ADULT_ID) })).toMatchObject({ code: 'PERMISSION_NOT_ALLOWED', field: 'personIdentifier.value' });
  });

  it('exists only on an active consumption restriction', () => {
    const [listing] = impose(aListingCommand());
    expect(permitRefusal({}, listing)).toMatchObject({ code: 'PERMISSION_NOT_ALLOWED' });
    expect(permitRefusal({}, one(anExitBanCommand()))).toMatchObject({ code: 'PERMISSION_NOT_ALLOWED' });
    expect(permitRefusal({}, liftRestriction(restriction, { reason: 'PERFORMED' }, { now: NOW }))).toMatchObject({ code: 'PERMISSION_NOT_ALLOWED' });
  });

  it.each([
    [{ measures: [] }, 'MEASURES_REQUIRED', 'measures'],
    [{ measures: ['REAL_ESTATE'] }, 'MEASURES_NOT_ALLOWED', 'measures.0'],
    [{ measures: ['AIR_TRAVEL', 'AIR_TRAVEL'] }, 'INVALID_MEASURES', 'measures.1'],
    [{ validUntil: '2025-06-10T00:00:00+08:00' }, 'INVALID_DATE_RANGE', 'validUntil'],
    [{ validFrom: '2025-05-01T00:00:00Z', validUntil: '2025-06-02T01:59:59Z' }, 'INVALID_DATE_RANGE', 'validUntil'],
    [{ validFrom: 'tomorrow' }, 'INVALID_DATE', 'validFrom'],
    [{ reason: '  ' }, 'FIELD_REQUIRED', 'reason'],
  ] as const)('refuses %o', (overrides, code, field) => {
    expect(permitRefusal(overrides as never)).toMatchObject({ code, field });
  });
});

describe('expiry and publication', () => {
  const [listing] = impose(aListingCommand({ publishAfter: '2025-07-15T00:00:00+08:00' }));
  const end = new Date(listing.expiresAt!);

  it('is due for an active fixed term once it has passed', () => {
    expect(expiryDue(listing, new Date(end.getTime() - 1))).toBe(false);
    expect(expiryDue(listing, end)).toBe(true);
    expect(expiryDue(liftRestriction(listing, { reason: 'PERFORMED' }, { now: NOW }), end)).toBe(false);
  });

  it('is never due without a term', () => {
    const openEnded = one(aListingCommand({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true }));
    expect(expiryDue(openEnded, new Date('2099-01-01T00:00:00Z'))).toBe(false);
    expect(expiryDue(one(aConsumptionCommand()), new Date('2099-01-01T00:00:00Z'))).toBe(false);
  });

  it('expires listings and exit bans as the service', () => {
    expect(expireRestriction(listing, end)).toMatchObject({ status: 'LIFTED', liftReason: 'TERM_EXPIRED', liftedAt: end.toISOString(), version: 2 });
    const ban = one(anExitBanCommand({ expiresAt: '2025-06-02T00:00:00Z' }));
    expect(expiryDue(ban, NOW)).toBe(true);
    expect(expireRestriction(ban, NOW).liftReason).toBe('TERM_EXPIRED');
    expect(domainErrorOf(() => expireRestriction(listing, NOW))).toMatchObject({ code: 'LIFT_REASON_NOT_ALLOWED' });
  });

  it('is published once the grace period has passed', () => {
    expect(isPublished(listing, new Date('2025-07-14T15:59:59.999Z'))).toBe(false);
    expect(isPublished(listing, new Date('2025-07-14T16:00:00.000Z'))).toBe(true);
    expect(isPublished(one(aConsumptionCommand()), NOW)).toBe(true);
  });
});
