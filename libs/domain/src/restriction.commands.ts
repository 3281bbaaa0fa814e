import type {
  AffectedPerson,
  CaseInfo,
  ConsumptionMeasure,
  Identifier,
  Initiator,
  LiftReason,
  ListingGround,
  RestrictionKind,
  Subject,
} from './restriction.types';

export interface ImposeCommand {
  kind: RestrictionKind;
  subject: Subject;
  affectedPersons?: AffectedPerson[];
  case: CaseInfo;
  initiatedBy?: Initiator;
  ground?: ListingGround;
  extensionYears?: number;
  noExclusionAttested?: boolean;
  obligation?: string;
  performanceStatus?: string;
  dishonestConduct?: string;
  /** Consumption restriction measures; default all. For a listing: the linked consumption restriction's measures. */
  measures?: ConsumptionMeasure[];
  decidedAt: string;
  /** Defaults to decidedAt. */
  effectiveAt?: string;
  /** Grace period 1–3 months after decidedAt (listing only; the linked consumption restriction inherits it). */
  publishAfter?: string;
  /** Exit bans only: optional end of the ban. */
  expiresAt?: string;
}

/** What the application knows about earlier listings of the same subject in the same case. */
export interface PriorListing {
  status: 'ACTIVE' | 'LIFTED';
  caseNumber: string;
  liftReason?: LiftReason;
  liftedAt?: string;
}

export interface ImposeContext {
  now: Date;
  newId: () => string;
  priorListings: PriorListing[];
}

/** Fields a court may correct (List Rules Art. 6 recorded information). Absent = unchanged; null = clear. */
export interface AmendCommand {
  subject?: Partial<Subject>;
  affectedPersons?: AffectedPerson[];
  case?: Partial<Omit<CaseInfo, 'courtCode'>>;
  ground?: ListingGround;
  extensionYears?: number | null;
  noExclusionAttested?: boolean;
  obligation?: string;
  performanceStatus?: string;
  dishonestConduct?: string;
  measures?: ConsumptionMeasure[];
  effectiveAt?: string;
  publishAfter?: string | null;
  expiresAt?: string | null;
}

export interface LiftCommand {
  reason: LiftReason;
  note?: string;
  /** Defaults to now. */
  liftedAt?: string;
}

export interface GrantPermissionCommand {
  measures: ConsumptionMeasure[];
  validFrom: string;
  validUntil: string;
  reason: string;
  personIdentifier?: Identifier;
}
