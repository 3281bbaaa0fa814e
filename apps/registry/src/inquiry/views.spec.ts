import { grantPermission, imposeRestriction, liftRestriction, type RestrictionState } from '@cd/domain';
import {
  ADULT_ID,
  COMPANY_USCC,
  NOW,
  aContext,
  aListingCommand,
  aPerson,
  anAffectedPerson,
  anExitBanCommand,
  anOrganisation,
  residentId,
  rid,
} from '@cd/domain/testing/fixtures';
import type { DeliveryView } from '../deliveries/delivery-ledger';
import { enforcementReport, type EnforcementReport } from '../deliveries/enforcement';
import type { Partner } from '../partners/partner';
import { chinaDate, concernsOf, debtorRestrictionView, endsByOf, ownIdentifierView, prohibitionsOf, publicListingView, sexFromResidentId } from './views';

const DEBTOR_ID = residentId('19800101', '456');
const OTHER_OFFICER_ID = residentId('19751111', '789');

const listing = (overrides = {}) => imposeRestriction(aListingCommand(overrides), aContext());
const orgExitBan = () =>
  imposeRestriction(
    anExitBanCommand({
      subject: anOrganisation(),
      affectedPersons: [
        anAffectedPerson('LEGAL_REPRESENTATIVE', { identifier: rid(DEBTOR_ID) }),
        anAffectedPerson('PRINCIPAL_PERSON_IN_CHARGE', { identifier: rid(DEBTOR_ID) }),
        anAffectedPerson('DIRECTLY_RESPONSIBLE_PERSON', { name: '王五', identifier: rid(OTHER_OFFICER_ID) }),
      ],
      expiresAt: '2026-01-01T00:00:00.000Z',
    }),
    aContext(),
  )[0];

const noDeliveries = (state: RestrictionState): EnforcementReport => enforcementReport(state, [], new Map());

describe('inquiry views', () => {
  describe('concernsOf', () => {
    it('names the subject, and every role under which a person is named, once each', () => {
      const [person] = listing();
      expect(concernsOf(person, ADULT_ID)).toEqual(['SUBJECT']);
      expect(concernsOf(person, ADULT_ID.toLowerCase())).toEqual(['SUBJECT']);
      expect(concernsOf(orgExitBan(), DEBTOR_ID)).toEqual(['LEGAL_REPRESENTATIVE', 'PRINCIPAL_PERSON_IN_CHARGE']);
      expect(concernsOf(orgExitBan(), OTHER_OFFICER_ID)).toEqual(['DIRECTLY_RESPONSIBLE_PERSON']);
      expect(concernsOf(orgExitBan(), ADULT_ID)).toEqual([]);
      expect(concernsOf(orgExitBan(), '')).toEqual([]);
    });
  });

  describe('debtorRestrictionView', () => {
    it("masks every person's number, the debtor's own included; the organisation's credit code is public", () => {
      const state = orgExitBan();
      const view = debtorRestrictionView(state, { identifierValue: DEBTOR_ID, courtName: '北京市朝阳区人民法院', report: noDeliveries(state), now: NOW });
      const json = JSON.stringify(view);
      expect(json).not.toContain(DEBTOR_ID);
      expect(json).not.toContain(OTHER_OFFICER_ID);
      expect(view.subject.identifier).toEqual({ type: 'USCC', value: COMPANY_USCC });
      expect(view.affectedPersons.map((p) => [p.role, p.identifier.value, p.you])).toEqual([
        ['LEGAL_REPRESENTATIVE', `${DEBTOR_ID.slice(0, 2)}****************`, true],
        ['PRINCIPAL_PERSON_IN_CHARGE', `${DEBTOR_ID.slice(0, 2)}****************`, true],
        ['DIRECTLY_RESPONSIBLE_PERSON', `${OTHER_OFFICER_ID.slice(0, 2)}****************`, false],
      ]);
      expect(view.concerns).toEqual([
        { code: 'LEGAL_REPRESENTATIVE', text: '法定代表人' },
        { code: 'PRINCIPAL_PERSON_IN_CHARGE', text: '主要负责人' },
      ]);
      expect(view).toMatchObject({ kind: 'EXIT_BAN', court: { code: 'J10', name: '北京市朝阳区人民法院' }, prohibits: [{ code: 'EXIT' }], published: true });
    });

    it("shows each partner's progress by name and sector, without the partner's id or its own reference", () => {
      const state = liftRestriction(orgExitBan(), { reason: 'PERFORMED' }, { now: NOW });
      const delivery: DeliveryView = {
        partnerId: 'border-1',
        requiredVersion: 2,
        publishedVersion: 2,
        publishedAt: NOW.toISOString(),
        dueAt: NOW.toISOString(),
        confirmedVersion: 2,
        confirmedOutcome: 'APPLIED',
        confirmedAt: NOW.toISOString(),
        partnerReference: 'INTERNAL-REF-42',
        failedVersion: null,
        failureReason: null,
        imposedConfirmedAt: '2025-06-01T03:00:00.000Z',
        liftVersion: 2,
        liftConfirmedAt: NOW.toISOString(),
        announceCount: 1,
        overdue: false,
      };
      const partners = new Map([['border-1', { id: 'border-1', name: '边检总站', sector: 'BORDER_CONTROL' } as Partner]]);
      const view = debtorRestrictionView(state, { identifierValue: DEBTOR_ID, courtName: null, report: enforcementReport(state, [delivery], partners), now: NOW });
      expect(view.fullyLifted).toBe(true);
      expect(view.enforcement).toEqual([
        {
          name: '边检总站',
          sector: 'BORDER_CONTROL',
          publishedVersion: 2,
          confirmedVersion: 2,
          confirmedOutcome: 'APPLIED',
          upToDate: true,
          dueAt: NOW.toISOString(),
          imposedConfirmedAt: '2025-06-01T03:00:00.000Z',
          liftConfirmedAt: NOW.toISOString(),
          overdue: false,
        },
      ]);
      expect(JSON.stringify(view)).not.toMatch(/border-1|INTERNAL-REF-42/);
      expect(view).toMatchObject({ status: 'LIFTED', liftReason: { code: 'PERFORMED', text: '已履行完毕' }, liftedAt: NOW.toISOString() });
    });

    it('lists necessity permissions, masked, with whether they are in effect now', () => {
      const [, consumption] = listing({ subject: anOrganisation(), affectedPersons: [anAffectedPerson('LEGAL_REPRESENTATIVE', { identifier: rid(DEBTOR_ID) })] });
      const granted = grantPermission(
        consumption,
        {
          measures: ['AIR_TRAVEL'],
          validFrom: '2025-06-02T00:00:00.000Z',
          validUntil: '2025-06-05T00:00:00.000Z',
          reason: '赴外地就医',
          personIdentifier: rid(DEBTOR_ID),
        },
        { now: NOW, newId: () => 'p-1' },
      );
      const view = debtorRestrictionView(granted, { identifierValue: DEBTOR_ID, courtName: null, report: noDeliveries(granted), now: NOW });
      expect(view.permissions).toEqual([
        {
          measures: [{ code: 'AIR_TRAVEL', text: '乘坐交通工具时，选择飞机' }],
          validFrom: '2025-06-02T00:00:00.000Z',
          validUntil: '2025-06-05T00:00:00.000Z',
          reason: '赴外地就医',
          person: { type: 'RESIDENT_ID', value: `${DEBTOR_ID.slice(0, 2)}****************` },
          forYou: true,
          inEffect: true,
        },
      ]);
      const later = debtorRestrictionView(granted, { identifierValue: OTHER_OFFICER_ID, courtName: null, report: noDeliveries(granted), now: new Date('2025-06-06T00:00:00Z') });
      expect(later.permissions[0]).toMatchObject({ forYou: false, inEffect: false });
    });

    it('marks a listing in its grace period as unpublished', () => {
      const [state] = listing({ publishAfter: '2025-07-15T00:00:00.000Z' });
      const view = debtorRestrictionView(state, { identifierValue: ADULT_ID, courtName: null, report: noDeliveries(state), now: NOW });
      expect(view).toMatchObject({ published: false, publishAfter: '2025-07-15T00:00:00.000Z', concerns: [{ code: 'SUBJECT' }] });
    });
  });

  describe('what it prohibits and what ends it', () => {
    it('a consumption restriction prohibits its measures and ends only by lifting; one created by a listing not before the listing', () => {
      const [, consumption] = listing({ measures: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'] });
      expect(prohibitionsOf(consumption).map((p) => p.code)).toEqual(['AIR_TRAVEL', 'HIGH_SPEED_RAIL']);
      const ends = endsByOf(consumption);
      expect(ends).toMatchObject({ mode: 'UNTIL_LIFTED', expiresAt: null });
      expect(ends.reasons).toEqual(expect.arrayContaining(['PERFORMED', 'SECURITY_PROVIDED', 'CREDITOR_CONSENT']));
      expect(ends.reasons).not.toContain('TERM_EXPIRED');
      expect(ends.text).toContain('失信名单删除前不予解除');
    });

    it('a fixed-term listing ends at its expiry; ground ABLE_BUT_REFUSES lasts until deleted', () => {
      const [fixed] = listing();
      expect(endsByOf(fixed)).toMatchObject({ mode: 'FIXED_TERM', expiresAt: fixed.expiresAt });
      expect(endsByOf(fixed).reasons).toContain('TERM_EXPIRED');
      expect(endsByOf(fixed).text).toContain(chinaDate(fixed.expiresAt!));
      const [open] = listing({ ground: 'ABLE_BUT_REFUSES', noExclusionAttested: true });
      expect(endsByOf(open)).toMatchObject({ mode: 'UNTIL_DELETED', expiresAt: null });
      expect(endsByOf(open).reasons).toEqual(expect.arrayContaining(['PERFORMED', 'SETTLEMENT_PERFORMED', 'CREDITOR_REQUEST']));
      expect(endsByOf(open).reasons).not.toContain('TERM_EXPIRED');
      expect(prohibitionsOf(open).map((p) => p.code)).toEqual(expect.arrayContaining(['PUBLICATION', 'FINANCING_AND_CREDIT', 'OFFICE_HOLDING', 'HIGH_CONSUMPTION']));
    });

    it('an exit ban with an end date ends then, or earlier by lifting', () => {
      expect(endsByOf(orgExitBan())).toMatchObject({ mode: 'FIXED_TERM_OR_LIFTED', expiresAt: '2026-01-01T00:00:00.000Z' });
      expect(endsByOf(orgExitBan()).text).toContain('2026-01-01');
      const open = imposeRestriction(anExitBanCommand(), aContext())[0];
      expect(endsByOf(open)).toMatchObject({ mode: 'UNTIL_LIFTED', expiresAt: null });
      expect(endsByOf(open).reasons).not.toContain('TERM_EXPIRED');
    });
  });

  describe('publicListingView (List Rules Art. 6)', () => {
    it('shows a person with a masked number, sex and age, never the birth date', () => {
      const [state] = listing();
      const view = publicListingView(state, '北京市朝阳区人民法院', NOW)!;
      expect(view).toEqual({
        name: '张三',
        subjectType: 'PERSON',
        identifier: { type: 'RESIDENT_ID', value: '11****************' },
        sex: 'MALE',
        age: 75,
        legalRepresentative: null,
        courtName: '北京市朝阳区人民法院',
        caseNumber: state.case.caseNumber,
        enforcementBasis: state.case.enforcementBasis,
        obligation: state.obligation,
        performanceStatus: '全部未履行',
        ground: { code: 'EVADES_ENFORCEMENT', text: '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行' },
        dishonestConduct: '转移财产规避执行',
        publishedOn: '2025-06-01',
        filingDate: '2025-03-01',
      });
      const json = JSON.stringify(view);
      expect(json).not.toContain(ADULT_ID);
      expect(json).not.toMatch(/1949-?12-?31/);
      expect(json).not.toContain(state.id);
    });

    it('shows the age on the day the listing became public, so that watching it change reveals no birthday', () => {
      const [state] = listing();
      expect(publicListingView(state, '法院', NOW)!.age).toBe(75);
      expect(publicListingView(state, '法院', new Date('2026-12-31T12:00:00Z'))!.age).toBe(75);
    });

    it('reads the sex from the resident ID when none is recorded', () => {
      const [state] = listing({ subject: aPerson({ sex: undefined, identifier: rid(residentId('19900101', '124')) }) });
      expect(publicListingView(state, '法院', NOW)).toMatchObject({ sex: 'FEMALE', age: 35 });
      expect(sexFromResidentId(residentId('19900101', '123'))).toBe('MALE');
      expect(sexFromResidentId(undefined)).toBeNull();
    });

    it('shows an organisation with its credit code in full and its legal representative', () => {
      const [state] = listing({ subject: anOrganisation() });
      expect(publicListingView(state, '法院', NOW)).toMatchObject({
        subjectType: 'ORGANISATION',
        identifier: { type: 'USCC', value: COMPANY_USCC },
        legalRepresentative: '李四',
        sex: null,
        age: null,
      });
    });

    it('is null for anything that is not a published, active listing', () => {
      const [inGrace, itsConsumption] = listing({ publishAfter: '2025-07-15T00:00:00.000Z' });
      expect(publicListingView(inGrace, '法院', NOW)).toBeNull();
      expect(publicListingView(inGrace, '法院', new Date('2025-07-16T00:00:00Z'))).toMatchObject({ publishedOn: '2025-07-15' });
      expect(publicListingView(itsConsumption, '法院', new Date('2025-07-16T00:00:00Z'))).toBeNull();
      expect(publicListingView(liftRestriction(listing()[0], { reason: 'PERFORMED' }, { now: NOW }), '法院', NOW)).toBeNull();
      expect(publicListingView(orgExitBan(), '法院', NOW)).toBeNull();
    });
  });

  it("shows the caller's own number by its recorded type, and masks it when unknown", () => {
    const [org] = listing({ subject: anOrganisation() });
    expect(ownIdentifierView(COMPANY_USCC, [org])).toEqual({ type: 'USCC', value: COMPANY_USCC });
    expect(ownIdentifierView(DEBTOR_ID, [])).toEqual({ type: 'RESIDENT_ID', value: `${DEBTOR_ID.slice(0, 2)}****************` });
    expect(ownIdentifierView(COMPANY_USCC, []).value).not.toBe(COMPANY_USCC);
  });

  it('takes dates in China time', () => {
    expect(chinaDate('2025-06-01T15:59:59.000Z')).toBe('2025-06-01');
    expect(chinaDate('2025-06-01T16:00:00.000Z')).toBe('2025-06-02');
  });
});
