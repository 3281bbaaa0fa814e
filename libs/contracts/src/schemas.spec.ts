import {
  CONSUMPTION_MEASURES,
  IDENTIFIER_TYPES,
  LIFT_REASONS,
  LISTING_GROUNDS,
  PERSON_ROLES,
  RESTRICTION_KINDS,
  RESTRICTION_STATUSES,
  SUBJECT_TYPES,
} from '@cd/domain';
import { NOW } from '@cd/domain/testing/fixtures';
import receiptRejectionSchema from '../schemas/receipt-rejection.v1.schema.json';
import receiptSchema from '../schemas/receipt.v1.schema.json';
import restrictionEventSchema from '../schemas/restriction-event.v1.schema.json';
import { uuidv7 } from './ids';
import { RECEIPT_OUTCOMES, REJECTION_REASONS, signReceipt, type Receipt, type ReceiptRejection, type UnsignedReceipt } from './receipt';
import { EVENT_TYPE_PREFIX, RESTRICTION_CHANGES, signEvent, type RestrictionEvent } from './restriction-event';
import {
  CONTRACT_SCHEMAS,
  RECEIPT_REJECTION_SCHEMA_ID,
  RECEIPT_SCHEMA_ID,
  RESTRICTION_EVENT_SCHEMA_ID,
  validateReceipt,
  validateReceiptRejection,
  validateRestrictionEvent,
} from './schemas';
import { generateSigningKeyPair } from './signing';
import { aConsumptionRestrictionWithPermissions, aLiftedListing, anEventFor, anOrganisationExitBan, realisticStates } from './testing/fixtures';

type Json = Record<string, unknown>;

const serviceKey = { keyId: 'svc-2025-06', privateKey: generateSigningKeyPair().privateKeyPem };
const partnerKey = generateSigningKeyPair().privateKeyPem;

/** A deep copy as plain JSON (what a consumer parses off the wire), changed by `edit`. */
function changed<T>(value: T, edit: (copy: Json & { data: Json }) => void): Json {
  const copy = JSON.parse(JSON.stringify(value)) as Json & { data: Json };
  edit(copy);
  return copy;
}

const signed = (event: RestrictionEvent) => signEvent(event, serviceKey);
const aSignedEvent = () => signed(anEventFor(aConsumptionRestrictionWithPermissions()));

describe('restriction-event.v1.schema.json', () => {
  it.each(Object.entries(realisticStates()))('accepts a signed event of a %s', (_name, state) => {
    const result = validateRestrictionEvent(JSON.parse(JSON.stringify(signed(anEventFor(state)))));
    expect(result).toEqual({ valid: true, errors: [] });
  });

  it.each(RESTRICTION_CHANGES)('accepts the %s change type', (change) => {
    const event = signed(anEventFor(aConsumptionRestrictionWithPermissions(), change));
    expect(event.type).toBe(`${EVENT_TYPE_PREFIX}.${change}`);
    expect(validateRestrictionEvent(event).valid).toBe(true);
  });

  it('really carries what the realistic states are about', () => {
    const permissions = anEventFor(aConsumptionRestrictionWithPermissions()).data;
    expect(permissions.permissions).toHaveLength(2);
    expect(permissions.permissions?.[1].personIdentifier).toBeDefined();
    expect(permissions.affectedPersons.map((p) => p.identifier.type)).toContain('PASSPORT');
    expect(anEventFor(anOrganisationExitBan()).data.affectedPersons).toHaveLength(2);
    expect(anEventFor(aLiftedListing()).data).toMatchObject({ status: 'LIFTED', liftReason: 'PERFORMED' });
  });

  it('refuses an unsigned event', () => {
    const result = validateRestrictionEvent(anEventFor(anOrganisationExitBan()));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(expect.arrayContaining(['/sigkeyid is required', '/signature is required']));
  });

  it.each<[string, (e: Json & { data: Json }) => void, string]>([
    ['missing data.version', (e) => delete e.data.version, '/data/version is required'],
    ['a fractional version', (e) => (e.data.version = 1.5), '/data/version must be integer'],
    ['version 0', (e) => (e.data.version = 0), '/data/version must be >= 1'],
    ['an unknown kind', (e) => (e.data.kind = 'TRAVEL_BAN'), '/data/kind must be one of "DISHONEST_LISTING", "CONSUMPTION_RESTRICTION", "EXIT_BAN"'],
    ['an internal field leaking into data', (e) => (e.data.obligation = '支付货款'), '/data/obligation is not allowed'],
    ['an extra envelope attribute', (e) => (e.traceparent = '00-abc'), '/traceparent is not allowed'],
    ['a time without a zone', (e) => (e.time = '2025-06-02T10:00:00'), '/time must match format "date-time"'],
    ['a time that is no time', (e) => (e.time = 'yesterday'), '/time must match format "date-time"'],
    ['a bad decidedAt', (e) => (e.data.decidedAt = '2025-02-30T00:00:00Z'), '/data/decidedAt must match format "date-time"'],
    ['an unknown change type', (e) => (e.type = `${EVENT_TYPE_PREFIX}.deleted`), '/type must be one of'],
    ['another spec version', (e) => (e.specversion = '0.3'), '/specversion must be "1.0"'],
    ['a non-JSON content type', (e) => (e.datacontenttype = 'application/xml'), '/datacontenttype must be "application/json"'],
    ['a restriction id that is no UUID', (e) => (e.data.id = 'r-1'), '/data/id must match format "uuid"'],
    ['a signature that is no base64', (e) => (e.signature = 'not base64!'), '/signature must match pattern'],
    ['an unknown measure', (e) => ((e.data.measures as string[])[0] = 'CASINO'), '/data/measures/0 must be one of'],
    ['a measure listed twice', (e) => (e.data.measures = ['AIR_TRAVEL', 'AIR_TRAVEL']), '/data/measures must NOT have duplicate items'],
    ['an extra field in a permission', (e) => ((e.data.permissions as Json[])[0].reason = '就医'), '/data/permissions/0/reason is not allowed'],
    ['a bad permission validUntil', (e) => ((e.data.permissions as Json[])[0].validUntil = '2025-06-12'), '/data/permissions/0/validUntil must match format "date-time"'],
    ['an unknown affected-person role', (e) => ((e.data.affectedPersons as Json[])[0].role = 'SPOUSE'), '/data/affectedPersons/0/role must be one of'],
    ['an unknown identifier type', (e) => (((e.data.subject as Json).identifier as Json).type = 'DRIVING_LICENCE'), '/data/subject/identifier/type must be one of'],
    ['a passport without its country', (e) => delete ((e.data.affectedPersons as Json[])[1].identifier as Json).country, '/data/affectedPersons/1/identifier/country is required'],
    ['subject fields partners must not get', (e) => ((e.data.subject as Json).sex = 'MALE'), '/data/subject/sex is not allowed'],
    ['an unknown subject type', (e) => ((e.data.subject as Json).type = 'TRUST'), '/data/subject/type must be one of "PERSON", "ORGANISATION"'],
    ['a case missing its enforcement basis', (e) => delete (e.data.case as Json).enforcementBasis, '/data/case/enforcementBasis is required'],
    ['lifted without a reason', (e) => ((e.data.status = 'LIFTED'), (e.data.liftedAt = NOW.toISOString())), '/data/liftReason is required'],
    ['an unknown lift reason', (e) => ((e.data.status = 'LIFTED'), (e.data.liftedAt = NOW.toISOString()), (e.data.liftReason = 'FORGIVEN')), '/data/liftReason must be one of'],
    ['an unknown status', (e) => (e.data.status = 'SUSPENDED'), '/data/status must be one of "ACTIVE", "LIFTED"'],
  ])('refuses %s, naming the path', (_name, edit, expected) => {
    const result = validateRestrictionEvent(changed(aSignedEvent(), edit));
    expect(result.valid).toBe(false);
    expect(result.errors.some((error) => error.startsWith(expected))).toBe(true);
  });

  it('refuses a listing without a ground and an exit ban with measures', () => {
    const listing = signed(anEventFor(aLiftedListing()));
    expect(validateRestrictionEvent(changed(listing, (e) => delete e.data.ground)).errors).toContain('/data/ground is required');
    const ban = signed(anEventFor(anOrganisationExitBan()));
    expect(validateRestrictionEvent(changed(ban, (e) => (e.data.measures = ['AIR_TRAVEL']))).valid).toBe(false);
    expect(validateRestrictionEvent(changed(ban, (e) => (e.data.ground = 'EVADES_ENFORCEMENT'))).valid).toBe(false);
  });

  it('reports every problem at once', () => {
    const result = validateRestrictionEvent(changed(aSignedEvent(), (e) => ((e.time = 'now'), delete e.data.version, (e.data.kind = 'X'))));
    expect(result.errors).toEqual(
      expect.arrayContaining(['/time must match format "date-time"', '/data/version is required', expect.stringMatching(/^\/data\/kind must be one of/)]),
    );
  });

  it('refuses what is not an object at all', () => {
    expect(validateRestrictionEvent('{"specversion":"1.0"}')).toEqual({ valid: false, errors: ['/ must be object'] });
    expect(validateRestrictionEvent(null).valid).toBe(false);
  });
});

describe('receipt.v1.schema.json', () => {
  const unsigned = (overrides: Partial<UnsignedReceipt> = {}): UnsignedReceipt => ({
    partnerId: 'air-china',
    restrictionId: uuidv7(),
    version: 3,
    eventId: uuidv7(),
    outcome: 'APPLIED',
    partnerReference: 'CA-BLK-20250602-0042',
    time: '2025-06-02T02:03:04.567Z',
    keyId: 'air-china-2025',
    ...overrides,
  });
  const aReceipt = (overrides: Partial<UnsignedReceipt> = {}): Receipt => signReceipt(unsigned(overrides), partnerKey);

  it.each([
    ['applied', aReceipt()],
    ['not applicable', aReceipt({ outcome: 'NOT_APPLICABLE', partnerReference: undefined })],
    ['failed with a reason', aReceipt({ outcome: 'FAILED', reason: 'passenger system unavailable' })],
    ['with a +08:00 time', aReceipt({ time: '2025-06-02T10:03:04+08:00' })],
  ])('accepts a signed receipt: %s', (_name, receipt) => {
    expect(validateReceipt(JSON.parse(JSON.stringify(receipt)))).toEqual({ valid: true, errors: [] });
  });

  it.each<[string, (r: Json) => void, string]>([
    ['FAILED without a reason', (r) => ((r.outcome = 'FAILED'), delete r.reason), '/reason is required'],
    ['an unknown outcome', (r) => (r.outcome = 'IGNORED'), '/outcome must be one of "APPLIED", "NOT_APPLICABLE", "FAILED"'],
    ['a missing signature', (r) => delete r.signature, '/signature is required'],
    ['a missing key id', (r) => delete r.keyId, '/keyId is required'],
    ['an extra field', (r) => (r.comment = 'done'), '/comment is not allowed'],
    ['version 0', (r) => (r.version = 0), '/version must be >= 1'],
    ['a version as text', (r) => (r.version = '3'), '/version must be integer'],
    ['a bad time', (r) => (r.time = '02/06/2025'), '/time must match format "date-time"'],
    ['an event id that is no UUID', (r) => (r.eventId = 'evt-1'), '/eventId must match format "uuid"'],
    ['an empty partner id', (r) => (r.partnerId = ''), '/partnerId must NOT have fewer than 1 characters'],
  ])('refuses %s, naming the path', (_name, edit, expected) => {
    const result = validateReceipt(changed(aReceipt(), edit));
    expect(result.valid).toBe(false);
    expect(result.errors).toContain(expected);
  });
});

describe('receipt-rejection.v1.schema.json', () => {
  const aRejection = (overrides: Partial<ReceiptRejection> = {}): ReceiptRejection => ({
    partnerId: 'air-china',
    reason: 'BAD_SIGNATURE',
    detail: 'signature does not verify with key air-china-2025',
    receipt: { partnerId: 'air-china', version: 3 },
    rejectedAt: '2025-06-02T02:03:05.000Z',
    ...overrides,
  });

  it.each([
    ['of a known partner', aRejection()],
    ['of an unknown sender with the raw text', aRejection({ partnerId: null, reason: 'MALFORMED', detail: 'not JSON', receipt: '{"partnerId": ' })],
    ['with a null receipt', aRejection({ reason: 'MALFORMED', receipt: null })],
    ['naming the empty partner id a receipt claimed', aRejection({ partnerId: '', reason: 'UNKNOWN_PARTNER' })],
  ])('accepts a rejection %s', (_name, rejection) => {
    expect(validateReceiptRejection(rejection)).toEqual({ valid: true, errors: [] });
  });

  it.each(REJECTION_REASONS)('accepts reason %s', (reason) => {
    expect(validateReceiptRejection(aRejection({ reason })).valid).toBe(true);
  });

  it.each<[string, (r: Json) => void, string]>([
    ['an unknown reason', (r) => (r.reason = 'TOO_LATE'), '/reason must be one of'],
    ['a missing rejectedAt', (r) => delete r.rejectedAt, '/rejectedAt is required'],
    ['a bad rejectedAt', (r) => (r.rejectedAt = '2025-06-02 02:03'), '/rejectedAt must match format "date-time"'],
    ['a missing receipt', (r) => delete r.receipt, '/receipt is required'],
    ['a numeric partner id', (r) => (r.partnerId = 42), '/partnerId must be string,null'],
    ['an extra field', (r) => (r.retryable = false), '/retryable is not allowed'],
  ])('refuses %s, naming the path', (_name, edit, expected) => {
    const result = validateReceiptRejection(changed(aRejection(), edit));
    expect(result.valid).toBe(false);
    expect(result.errors.some((error) => error.startsWith(expected))).toBe(true);
  });
});

describe('the schemas and the code agree', () => {
  const defs = restrictionEventSchema.$defs;

  it('has the domain enums', () => {
    expect(defs.RestrictionKind.enum).toEqual([...RESTRICTION_KINDS]);
    expect(defs.RestrictionStatus.enum).toEqual([...RESTRICTION_STATUSES]);
    expect(defs.SubjectType.enum).toEqual([...SUBJECT_TYPES]);
    expect(defs.IdentifierType.enum).toEqual([...IDENTIFIER_TYPES]);
    expect(defs.PersonRole.enum).toEqual([...PERSON_ROLES]);
    expect(defs.ListingGround.enum).toEqual([...LISTING_GROUNDS]);
    expect(defs.ConsumptionMeasure.enum).toEqual([...CONSUMPTION_MEASURES]);
    expect(defs.LiftReason.enum).toEqual([...LIFT_REASONS]);
  });

  it('has the contract enums', () => {
    expect(restrictionEventSchema.properties.type.enum).toEqual(RESTRICTION_CHANGES.map((change) => `${EVENT_TYPE_PREFIX}.${change}`));
    expect(receiptSchema.properties.outcome.enum).toEqual([...RECEIPT_OUTCOMES]);
    expect(receiptRejectionSchema.properties.reason.enum).toEqual([...REJECTION_REASONS]);
  });

  it('registers each schema under its $id', () => {
    expect(Object.keys(CONTRACT_SCHEMAS)).toEqual([RESTRICTION_EVENT_SCHEMA_ID, RECEIPT_SCHEMA_ID, RECEIPT_REJECTION_SCHEMA_ID]);
    for (const [id, schema] of Object.entries(CONTRACT_SCHEMAS)) expect((schema as { $id: string }).$id).toBe(id);
  });

  it('covers every field of the TypeScript types', () => {
    const sample = anEventFor(aConsumptionRestrictionWithPermissions());
    const envelopeKeys: (keyof RestrictionEvent)[] = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data', 'sigkeyid', 'signature'];
    expect(Object.keys(restrictionEventSchema.properties).sort()).toEqual([...envelopeKeys].sort());
    expect(Object.keys(sample).every((key) => key in restrictionEventSchema.properties)).toBe(true);
    const receiptKeys: (keyof Receipt)[] = ['partnerId', 'restrictionId', 'version', 'eventId', 'outcome', 'reason', 'partnerReference', 'time', 'keyId', 'signature'];
    expect(Object.keys(receiptSchema.properties).sort()).toEqual([...receiptKeys].sort());
    const rejectionKeys: (keyof ReceiptRejection)[] = ['partnerId', 'reason', 'detail', 'receipt', 'rejectedAt'];
    expect(Object.keys(receiptRejectionSchema.properties).sort()).toEqual([...rejectionKeys].sort());
  });
});
