// The restriction aggregate's state as carried in events and stored in history.
// Plain data (ISO-8601 strings for instants, YYYY-MM-DD for dates) so it
// serialises unchanged into Kafka events and MySQL JSON.

export const RESTRICTION_KINDS = ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

export const RESTRICTION_STATUSES = ['ACTIVE', 'LIFTED'] as const;
export type RestrictionStatus = (typeof RESTRICTION_STATUSES)[number];

export const SUBJECT_TYPES = ['PERSON', 'ORGANISATION'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const IDENTIFIER_TYPES = ['RESIDENT_ID', 'USCC', 'PASSPORT'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

export interface Identifier {
  type: IdentifierType;
  /** Normalised: upper case, no spaces. */
  value: string;
  /** Issuing country (ISO 3166-1 alpha-3), passports only. */
  country?: string;
}

export const SEXES = ['MALE', 'FEMALE'] as const;
export type Sex = (typeof SEXES)[number];

export interface Subject {
  type: SubjectType;
  name: string;
  identifier: Identifier;
  /** Persons only (List Rules Art. 6). */
  sex?: Sex;
  /** Organisations only (List Rules Art. 6). */
  legalRepresentative?: string;
}

export const PERSON_ROLES = [
  'LEGAL_REPRESENTATIVE',
  'PRINCIPAL_PERSON_IN_CHARGE',
  'DIRECTLY_RESPONSIBLE_PERSON',
  'ACTUAL_CONTROLLER',
  'LEGAL_AGENT',
] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export interface AffectedPerson {
  role: PersonRole;
  name: string;
  identifier: Identifier;
}

export const LISTING_GROUNDS = [
  'ABLE_BUT_REFUSES',
  'OBSTRUCTS_ENFORCEMENT',
  'EVADES_ENFORCEMENT',
  'VIOLATES_ASSET_REPORTING',
  'VIOLATES_CONSUMPTION_ORDER',
  'DEFAULTS_ON_SETTLEMENT',
] as const;
export type ListingGround = (typeof LISTING_GROUNDS)[number];

export const CONSUMPTION_MEASURES = [
  'AIR_TRAVEL',
  'SOFT_SLEEPER',
  'SHIP_SECOND_CLASS_OR_ABOVE',
  'HIGH_SPEED_RAIL',
  'STAR_HOTELS_AND_LUXURY_VENUES',
  'REAL_ESTATE',
  'HIGH_END_OFFICE_LEASE',
  'NON_ESSENTIAL_VEHICLE',
  'TRAVEL_AND_HOLIDAY',
  'PRIVATE_SCHOOL_FEES',
  'HIGH_PREMIUM_INSURANCE',
] as const;
export type ConsumptionMeasure = (typeof CONSUMPTION_MEASURES)[number];

/** List Rules Art. 10 deletion reasons, plus term expiry, early deletion (Art. 2) and revocation (Art. 9). */
export const LISTING_DELETION_REASONS = [
  'PERFORMED',
  'SETTLEMENT_PERFORMED',
  'CREDITOR_REQUEST',
  'NO_ASSETS_FOUND',
  'SUSPENDED',
  'NOT_TO_BE_ENFORCED',
  'ENFORCEMENT_TERMINATED',
  'TERM_EXPIRED',
  'EARLY_DELETION',
  'REVOKED',
] as const;
export const LIFT_REASONS = [...LISTING_DELETION_REASONS, 'SECURITY_PROVIDED', 'CREDITOR_CONSENT'] as const;
export type LiftReason = (typeof LIFT_REASONS)[number];

export const INITIATORS = ['EX_OFFICIO', 'CREDITOR_APPLICATION'] as const;
export type Initiator = (typeof INITIATORS)[number];

export interface EnforcementBasis {
  /** 执行依据的制作单位 */
  issuer: string;
  /** 执行依据的文号 */
  documentNumber: string;
}

export interface CaseInfo {
  /** 执行案号 */
  caseNumber: string;
  courtCode: string;
  enforcementBasis: EnforcementBasis;
  /** 立案时间, YYYY-MM-DD */
  filingDate: string;
}

export interface NecessityPermission {
  id: string;
  measures: ConsumptionMeasure[];
  validFrom: string;
  validUntil: string;
  reason: string;
  /** For an organisation's persons: private consumption with personal funds (Consumption Rules Art. 3 ¶2). */
  personIdentifier?: Identifier;
  grantedAt: string;
}

export interface RestrictionState {
  id: string;
  kind: RestrictionKind;
  /** 1, 2, 3 … per restriction; every change increments it by exactly one. */
  version: number;
  status: RestrictionStatus;
  subject: Subject;
  /** Persons restricted because of an organisation subject (or a legal agent). */
  affectedPersons: AffectedPerson[];
  case: CaseInfo;
  initiatedBy: Initiator;

  // DISHONEST_LISTING only
  ground?: ListingGround;
  /** 1–3 years added to the 2-year term for serious cases (List Rules Art. 2). */
  extensionYears?: number;
  /** Court attests none of the Art. 3 exclusions applies (ground ABLE_BUT_REFUSES). */
  noExclusionAttested?: boolean;
  obligation?: string;
  performanceStatus?: string;
  dishonestConduct?: string;

  // CONSUMPTION_RESTRICTION only
  measures?: ConsumptionMeasure[];
  permissions?: NecessityPermission[];
  /** Set on the consumption restriction created by a listing: the listing's id. */
  linkedListingId?: string;

  decidedAt: string;
  effectiveAt: string;
  /** Grace period: not public nor distributed before this instant. */
  publishAfter?: string;
  expiresAt?: string;
  liftedAt?: string;
  liftReason?: LiftReason;
  liftNote?: string;
}
