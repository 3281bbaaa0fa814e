// Test data for the contracts: realistic restriction states built through the
// domain's own commands (so they satisfy every domain rule), turned into events.
import { grantPermission, imposeRestriction, liftRestriction, type RestrictionState } from '@cd/domain';
import {
  aCase,
  aContext,
  aConsumptionCommand,
  aListingCommand,
  anAffectedPerson,
  anExitBanCommand,
  anOrganisation,
  aPerson,
  NOW,
  residentId,
} from '@cd/domain/testing/fixtures';
import { uuidv7 } from '../ids';
import { restrictionEvent, type RestrictionChange, type RestrictionEvent } from '../restriction-event';

export const EVENT_SOURCE = '/cn/court/credit-discipline/registry';

const newId = () => uuidv7(NOW.getTime());

/** A dishonest listing of a person (with its legal agent) and the consumption restriction it creates. */
export function aListingWithItsConsumptionRestriction(): { listing: RestrictionState; consumption: RestrictionState } {
  const [listing, consumption] = imposeRestriction(
    aListingCommand({
      subject: aPerson({ name: '王五' }),
      affectedPersons: [anAffectedPerson('LEGAL_AGENT', { name: '赵六' })],
      measures: ['AIR_TRAVEL', 'HIGH_SPEED_RAIL', 'STAR_HOTELS_AND_LUXURY_VENUES'],
      extensionYears: 1,
    }),
    aContext({ newId }),
  );
  return { listing, consumption };
}

/** A consumption restriction on an organisation, with a necessity permission for one of its officers. */
export function aConsumptionRestrictionWithPermissions(): RestrictionState {
  const officer = anAffectedPerson('LEGAL_REPRESENTATIVE', { name: '李四' });
  const [restriction] = imposeRestriction(
    aConsumptionCommand({
      subject: anOrganisation(),
      affectedPersons: [officer, anAffectedPerson('ACTUAL_CONTROLLER', { name: '孙七', identifier: { type: 'PASSPORT', value: 'E12345678', country: 'CHN' } })],
      case: aCase({ caseNumber: '（2025）闽0102执88号', courtCode: 'M01' }),
    }),
    aContext({ newId }),
  );
  const withOne = grantPermission(
    restriction,
    { measures: ['HIGH_SPEED_RAIL'], validFrom: '2025-06-10T00:00:00.000Z', validUntil: '2025-06-12T00:00:00.000Z', reason: '就医' },
    { now: NOW, newId },
  );
  return grantPermission(
    withOne,
    {
      measures: ['AIR_TRAVEL', 'STAR_HOTELS_AND_LUXURY_VENUES'],
      validFrom: '2025-07-01T00:00:00.000Z',
      validUntil: '2025-07-05T00:00:00.000Z',
      reason: '以个人财产支付的私人消费',
      personIdentifier: officer.identifier,
    },
    { now: NOW, newId },
  );
}

/** An exit ban on an organisation: it names the officers who may not leave the country. */
export function anOrganisationExitBan(): RestrictionState {
  const [ban] = imposeRestriction(
    anExitBanCommand({
      subject: anOrganisation(),
      affectedPersons: [
        anAffectedPerson('LEGAL_REPRESENTATIVE', { name: '李四' }),
        anAffectedPerson('DIRECTLY_RESPONSIBLE_PERSON', { name: '周八', identifier: { type: 'RESIDENT_ID', value: residentId('19750315', '789') } }),
      ],
      expiresAt: '2026-06-01T02:00:00.000Z',
    }),
    aContext({ newId }),
  );
  return ban;
}

/** The listing, lifted because the debtor performed. */
export function aLiftedListing(): RestrictionState {
  return liftRestriction(aListingWithItsConsumptionRestriction().listing, { reason: 'PERFORMED', note: '已全部履行' }, { now: NOW });
}

export function anEventFor(state: RestrictionState, change: RestrictionChange = state.status === 'LIFTED' ? 'lifted' : 'imposed'): RestrictionEvent {
  return restrictionEvent(state, change, { eventId: uuidv7(NOW.getTime()), source: EVENT_SOURCE, time: NOW.toISOString() });
}

/** One event of each realistic shape, by name. */
export function realisticStates(): Record<string, RestrictionState> {
  const { listing, consumption } = aListingWithItsConsumptionRestriction();
  return {
    'dishonest listing of a person': listing,
    'consumption restriction linked to a listing': consumption,
    'consumption restriction of an organisation with permissions': aConsumptionRestrictionWithPermissions(),
    'exit ban of an organisation with affected persons': anOrganisationExitBan(),
    'lifted listing': aLiftedListing(),
  };
}
