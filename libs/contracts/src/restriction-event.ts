import type {
  AffectedPerson,
  ConsumptionMeasure,
  Identifier,
  LiftReason,
  ListingGround,
  RestrictionKind,
  RestrictionState,
  RestrictionStatus,
  SubjectType,
} from '@cd/domain';
import { signDocument, verifySigned, type KeyInput } from './signing';

export const EVENT_TYPE_PREFIX = 'cn.court.credit-discipline.restriction';
export const RESTRICTION_CHANGES = ['imposed', 'amended', 'lifted'] as const;
export type RestrictionChange = (typeof RESTRICTION_CHANGES)[number];

/** What a partner needs to enforce: no obligation details, conduct or internal flags (need to know). */
export interface RestrictionEventData {
  id: string;
  kind: RestrictionKind;
  version: number;
  status: RestrictionStatus;
  subject: { type: SubjectType; name: string; identifier: Identifier };
  affectedPersons: AffectedPerson[];
  measures?: ConsumptionMeasure[];
  permissions?: { id: string; measures: ConsumptionMeasure[]; validFrom: string; validUntil: string; personIdentifier?: Identifier }[];
  ground?: ListingGround;
  linkedListingId?: string;
  case: { caseNumber: string; courtCode: string; enforcementBasis: { issuer: string; documentNumber: string } };
  decidedAt: string;
  effectiveAt: string;
  expiresAt?: string;
  liftedAt?: string;
  liftReason?: LiftReason;
}

/** CloudEvents 1.0, structured mode, signed by the service (extension attributes sigkeyid + signature). */
export interface RestrictionEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: `${typeof EVENT_TYPE_PREFIX}.${RestrictionChange}`;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: RestrictionEventData;
  /** Id of the service key that signed the event (see GET /v1/public/event-keys). */
  sigkeyid?: string;
  /** Ed25519 signature (base64) of the canonical JSON of the event without `signature`. */
  signature?: string;
}

export function signEvent(event: RestrictionEvent, key: { keyId: string; privateKey: KeyInput }): RestrictionEvent {
  const { signature: _unused, ...unsigned } = { ...event, sigkeyid: key.keyId };
  return { ...unsigned, signature: signDocument(unsigned, key.privateKey) };
}

/** True when the event carries a valid signature by one of the given service keys (by key id). */
export function verifyEvent(event: RestrictionEvent, publicKeys: Record<string, KeyInput>): boolean {
  const key = event.sigkeyid ? publicKeys[event.sigkeyid] : undefined;
  return key !== undefined && verifySigned(event, key);
}

export function restrictionEventData(state: RestrictionState): RestrictionEventData {
  const data: RestrictionEventData = {
    id: state.id,
    kind: state.kind,
    version: state.version,
    status: state.status,
    subject: { type: state.subject.type, name: state.subject.name, identifier: state.subject.identifier },
    affectedPersons: state.affectedPersons,
    case: {
      caseNumber: state.case.caseNumber,
      courtCode: state.case.courtCode,
      enforcementBasis: state.case.enforcementBasis,
    },
    decidedAt: state.decidedAt,
    effectiveAt: state.effectiveAt,
  };
  if (state.ground) data.ground = state.ground;
  if (state.measures) data.measures = state.measures;
  if (state.permissions?.length) {
    data.permissions = state.permissions.map(({ id, measures, validFrom, validUntil, personIdentifier }) => ({
      id,
      measures,
      validFrom,
      validUntil,
      ...(personIdentifier ? { personIdentifier } : {}),
    }));
  }
  if (state.linkedListingId) data.linkedListingId = state.linkedListingId;
  if (state.expiresAt) data.expiresAt = state.expiresAt;
  if (state.liftedAt) data.liftedAt = state.liftedAt;
  if (state.liftReason) data.liftReason = state.liftReason;
  return data;
}

export function restrictionEvent(
  state: RestrictionState,
  change: RestrictionChange,
  meta: { eventId: string; source: string; time: string },
): RestrictionEvent {
  return {
    specversion: '1.0',
    id: meta.eventId,
    source: meta.source,
    type: `${EVENT_TYPE_PREFIX}.${change}`,
    subject: state.id,
    time: meta.time,
    datacontenttype: 'application/json',
    data: restrictionEventData(state),
  };
}
