import {
  ageOn,
  birthDateFromResidentId,
  isPublished,
  liftReasonsFor,
  maskIdentifier,
  normaliseIdentifierValue,
  type ConsumptionMeasure,
  type Identifier,
  type IdentifierType,
  type LiftReason,
  type ListingGround,
  type PersonRole,
  type RestrictionKind,
  type RestrictionState,
  type RestrictionStatus,
  type Sex,
  type SubjectType,
} from '@cd/domain';
import type { CorrectionView } from '../corrections/corrections.service';
import type { EnforcementReport } from '../deliveries/enforcement';
import { EXIT_EFFECT, GROUND_TEXT, KIND_TEXT, LIFT_REASON_TEXT, LISTING_EFFECTS, MEASURE_TEXT, ROLE_TEXT } from './labels';

// Pure builders of what debtors and the public may see of a restriction. Every person
// identifier leaves here masked (domain-rules §7); only an organisation's credit code,
// which is public, is shown in full.

export type Concern = 'SUBJECT' | PersonRole;

export interface CodeText<C extends string = string> {
  code: C;
  text: string;
}

export interface ShownIdentifier {
  type: IdentifierType;
  /** Masked for persons (maskIdentifier); a credit code in full. */
  value: string;
}

export type EndsByMode = 'FIXED_TERM' | 'UNTIL_DELETED' | 'UNTIL_LIFTED' | 'FIXED_TERM_OR_LIFTED';

export interface EndsBy {
  mode: EndsByMode;
  /** The end of a fixed term, if any. */
  expiresAt: string | null;
  /** Reasons for which the court deletes or lifts it. */
  reasons: LiftReason[];
  text: string;
}

export interface PartnerProgress {
  name: string | null;
  sector: string | null;
  publishedVersion: number;
  confirmedVersion: number;
  confirmedOutcome: string | null;
  upToDate: boolean;
  dueAt: string | null;
  imposedConfirmedAt: string | null;
  liftConfirmedAt: string | null;
  overdue: boolean;
}

export interface PermissionView {
  measures: CodeText<ConsumptionMeasure>[];
  validFrom: string;
  validUntil: string;
  reason: string;
  /** Set when granted to one of an organisation's persons. */
  person: ShownIdentifier | null;
  forYou: boolean;
  inEffect: boolean;
}

/** A correction request on the restriction, as /v1/me/corrections shows it, reduced to where it stands. */
export interface DebtorCorrectionSummary {
  id: string;
  ground: CorrectionView['ground'];
  status: CorrectionView['status'];
  filedAt: string;
  /** The act the procedure waits for, by whom and its deadline; null once closed. */
  pendingAct: CorrectionView['pendingAct'];
  overdue: boolean;
}

export interface DebtorRestrictionView {
  id: string;
  kind: RestrictionKind;
  kindText: string;
  version: number;
  status: RestrictionStatus;
  concerns: CodeText<Concern>[];
  subject: {
    type: SubjectType;
    name: string;
    identifier: ShownIdentifier;
    sex: Sex | null;
    legalRepresentative: string | null;
  };
  affectedPersons: { role: PersonRole; roleText: string; name: string; identifier: ShownIdentifier; you: boolean }[];
  court: { code: string; name: string | null };
  case: { caseNumber: string; enforcementBasis: { issuer: string; documentNumber: string }; filingDate: string };
  ground: CodeText<ListingGround> | null;
  extensionYears: number | null;
  obligation: string | null;
  performanceStatus: string | null;
  dishonestConduct: string | null;
  prohibits: CodeText[];
  /** A consumption restriction created by a listing: the listing it follows. */
  linkedListingId: string | null;
  /** False during a grace period: not public and not yet sent to partners. */
  published: boolean;
  publishAfter: string | null;
  decidedAt: string;
  effectiveAt: string;
  expiresAt: string | null;
  liftedAt: string | null;
  liftReason: CodeText<LiftReason> | null;
  endsBy: EndsBy;
  permissions: PermissionView[];
  fullyEnforced: boolean;
  fullyLifted: boolean;
  enforcement: PartnerProgress[];
  /** The caller's correction requests on it (List Rules Arts. 11–12), newest first. */
  corrections: DebtorCorrectionSummary[];
}

export interface PublicListingView {
  name: string;
  subjectType: SubjectType;
  identifier: ShownIdentifier;
  /** Persons: recorded, or read from the resident ID. */
  sex: Sex | null;
  /**
   * Persons with a resident ID: completed years on the day the listing became public (publishedOn), as
   * recorded (Art. 6). Fixed, not today's: watching the age change would reveal the birthday (maskIdentifier).
   */
  age: number | null;
  /** Organisations. */
  legalRepresentative: string | null;
  courtName: string;
  caseNumber: string;
  enforcementBasis: { issuer: string; documentNumber: string };
  obligation: string | null;
  performanceStatus: string | null;
  ground: CodeText<ListingGround>;
  dishonestConduct: string | null;
  /** China date the listing became public. */
  publishedOn: string;
  filingDate: string;
}

export function showIdentifier(id: Identifier): ShownIdentifier {
  return { type: id.type, value: maskIdentifier(id) };
}

/**
 * The caller's own identifier, masked by the type recorded for it in their restrictions;
 * masked as a person's number when nothing is recorded (never shown in full by guess).
 */
export function ownIdentifierView(identifierValue: string, states: RestrictionState[]): ShownIdentifier {
  const mine = isSameValue(identifierValue);
  const recorded = states
    .flatMap((state) => [state.subject.identifier, ...state.affectedPersons.map((p) => p.identifier)])
    .find((id) => mine(id));
  if (recorded) return showIdentifier(recorded);
  const value = normaliseIdentifierValue(identifierValue);
  return showIdentifier({ type: /^\d{17}[\dX]$/.test(value) ? 'RESIDENT_ID' : 'PASSPORT', value });
}

/** How the holder of `identifierValue` is concerned: as the subject and/or under a named role. */
export function concernsOf(state: RestrictionState, identifierValue: string): Concern[] {
  const mine = isSameValue(identifierValue);
  const concerns: Concern[] = mine(state.subject.identifier) ? ['SUBJECT'] : [];
  for (const person of state.affectedPersons) {
    if (mine(person.identifier) && !concerns.includes(person.role)) concerns.push(person.role);
  }
  return concerns;
}

export function prohibitionsOf(state: RestrictionState): CodeText[] {
  switch (state.kind) {
    case 'CONSUMPTION_RESTRICTION':
      return (state.measures ?? []).map((code) => ({ code, text: MEASURE_TEXT[code] }));
    case 'EXIT_BAN':
      return entries(EXIT_EFFECT);
    case 'DISHONEST_LISTING':
      return entries(LISTING_EFFECTS);
  }
}

export function endsByOf(state: RestrictionState): EndsBy {
  const expiresAt = state.expiresAt ?? null;
  // TERM_EXPIRED ends only what has a term of its own.
  const reasons = liftReasonsFor(state).filter((reason) => reason !== 'TERM_EXPIRED' || expiresAt !== null);
  const until = expiresAt ? chinaDate(expiresAt) : '';
  switch (state.kind) {
    case 'DISHONEST_LISTING':
      return expiresAt
        ? {
            mode: 'FIXED_TERM',
            expiresAt,
            reasons,
            text: `期限至${until}，届满后三个工作日内删除；期满前履行完毕或有其他法定情形的，人民法院在三个工作日内删除（《失信名单规定》第二条、第十条）`,
          }
        : {
            mode: 'UNTIL_DELETED',
            expiresAt,
            reasons,
            text: '无固定期限：履行完毕或有其他法定情形时，人民法院在三个工作日内删除（《失信名单规定》第二条、第十条）',
          };
    case 'CONSUMPTION_RESTRICTION':
      return {
        mode: 'UNTIL_LIFTED',
        expiresAt,
        reasons,
        text:
          '无固定期限：全部履行完毕的，人民法院应当及时解除；提供确实有效的担保或经申请执行人同意的，人民法院可以解除（《限制消费规定》第九条）' +
          (state.linkedListingId ? '；因纳入失信名单而限制消费的，失信名单删除前不予解除' : ''),
      };
    case 'EXIT_BAN':
      return {
        mode: expiresAt ? 'FIXED_TERM_OR_LIFTED' : 'UNTIL_LIFTED',
        expiresAt,
        reasons,
        text:
          (expiresAt ? `限制至${until}；期满前，` : '') +
          '全部履行完毕的，人民法院应当及时解除；提供充分、有效的担保或经申请执行人同意的，人民法院可以解除（执行程序解释第二十五条）',
      };
  }
}

export function debtorRestrictionView(
  state: RestrictionState,
  context: { identifierValue: string; courtName: string | null; report: EnforcementReport; now: Date; corrections?: CorrectionView[] },
): DebtorRestrictionView {
  const { identifierValue, courtName, report, now, corrections = [] } = context;
  const mine = isSameValue(identifierValue);
  return {
    id: state.id,
    kind: state.kind,
    kindText: KIND_TEXT[state.kind],
    version: state.version,
    status: state.status,
    concerns: concernsOf(state, identifierValue).map((code) => ({ code, text: code === 'SUBJECT' ? '被执行人本人' : ROLE_TEXT[code] })),
    subject: {
      type: state.subject.type,
      name: state.subject.name,
      identifier: showIdentifier(state.subject.identifier),
      sex: state.subject.sex ?? null,
      legalRepresentative: state.subject.legalRepresentative ?? null,
    },
    affectedPersons: state.affectedPersons.map((person) => ({
      role: person.role,
      roleText: ROLE_TEXT[person.role],
      name: person.name,
      identifier: showIdentifier(person.identifier),
      you: mine(person.identifier),
    })),
    court: { code: state.case.courtCode, name: courtName },
    case: {
      caseNumber: state.case.caseNumber,
      enforcementBasis: { issuer: state.case.enforcementBasis.issuer, documentNumber: state.case.enforcementBasis.documentNumber },
      filingDate: state.case.filingDate,
    },
    ground: state.ground ? { code: state.ground, text: GROUND_TEXT[state.ground] } : null,
    extensionYears: state.extensionYears ?? null,
    obligation: state.obligation ?? null,
    performanceStatus: state.performanceStatus ?? null,
    dishonestConduct: state.dishonestConduct ?? null,
    prohibits: prohibitionsOf(state),
    linkedListingId: state.linkedListingId ?? null,
    published: isPublished(state, now),
    publishAfter: state.publishAfter ?? null,
    decidedAt: state.decidedAt,
    effectiveAt: state.effectiveAt,
    expiresAt: state.expiresAt ?? null,
    liftedAt: state.liftedAt ?? null,
    liftReason: state.liftReason ? { code: state.liftReason, text: LIFT_REASON_TEXT[state.liftReason] } : null,
    endsBy: endsByOf(state),
    permissions: (state.permissions ?? []).map((permission) => ({
      measures: permission.measures.map((code) => ({ code, text: MEASURE_TEXT[code] })),
      validFrom: permission.validFrom,
      validUntil: permission.validUntil,
      reason: permission.reason,
      person: permission.personIdentifier ? showIdentifier(permission.personIdentifier) : null,
      forYou: permission.personIdentifier ? mine(permission.personIdentifier) : true,
      inEffect: state.status === 'ACTIVE' && Date.parse(permission.validFrom) <= now.getTime() && now.getTime() < Date.parse(permission.validUntil),
    })),
    fullyEnforced: report.fullyEnforced,
    fullyLifted: report.fullyLifted,
    // The partner's id and its own reference are internal to the partner and the court.
    enforcement: report.partners.map((p) => ({
      name: p.name,
      sector: p.sector,
      publishedVersion: p.publishedVersion,
      confirmedVersion: p.confirmedVersion,
      confirmedOutcome: p.confirmedOutcome,
      upToDate: p.upToDate,
      dueAt: p.dueAt,
      imposedConfirmedAt: p.imposedConfirmedAt,
      liftConfirmedAt: p.liftConfirmedAt,
      overdue: p.overdue,
    })),
    corrections: corrections.map(correctionSummary),
  };
}

export function correctionSummary(request: CorrectionView): DebtorCorrectionSummary {
  return { id: request.id, ground: request.ground, status: request.status, filedAt: request.filedAt, pendingAct: request.pendingAct, overdue: request.overdue };
}

/** One entry of the public list (List Rules Art. 6), or null if the listing is not public now. */
export function publicListingView(state: RestrictionState, courtName: string, now: Date): PublicListingView | null {
  if (state.kind !== 'DISHONEST_LISTING' || state.status !== 'ACTIVE' || !isPublished(state, now) || !state.ground) return null;
  const { subject } = state;
  const person = subject.type === 'PERSON';
  const residentId = person && subject.identifier.type === 'RESIDENT_ID' ? subject.identifier.value : undefined;
  const publishedOn = chinaDate(state.publishAfter ?? state.decidedAt);
  return {
    name: subject.name,
    subjectType: subject.type,
    identifier: showIdentifier(subject.identifier),
    sex: person ? (subject.sex ?? sexFromResidentId(residentId)) : null,
    age: residentId ? ageFromResidentId(residentId, publishedOn) : null,
    legalRepresentative: person
      ? null
      : (subject.legalRepresentative ?? state.affectedPersons.find((p) => p.role === 'LEGAL_REPRESENTATIVE')?.name ?? null),
    courtName,
    caseNumber: state.case.caseNumber,
    enforcementBasis: { issuer: state.case.enforcementBasis.issuer, documentNumber: state.case.enforcementBasis.documentNumber },
    obligation: state.obligation ?? null,
    performanceStatus: state.performanceStatus ?? null,
    ground: { code: state.ground, text: GROUND_TEXT[state.ground] },
    dishonestConduct: state.dishonestConduct ?? null,
    publishedOn,
    filingDate: state.case.filingDate,
  };
}

/** GB 11643: the 17th character is odd for men, even for women. */
export function sexFromResidentId(value: string | undefined): Sex | null {
  const digit = value && /^\d{17}[\dX]$/.test(value) ? Number(value[16]) : NaN;
  return Number.isNaN(digit) ? null : digit % 2 === 1 ? 'MALE' : 'FEMALE';
}

function ageFromResidentId(value: string, on: string): number | null {
  try {
    return ageOn(birthDateFromResidentId(value), on);
  } catch {
    return null;
  }
}

function isSameValue(identifierValue: string): (id: Identifier) => boolean {
  const wanted = normaliseIdentifierValue(identifierValue);
  return (id) => wanted !== '' && normaliseIdentifierValue(id.value) === wanted;
}

function entries(texts: Record<string, string>): CodeText[] {
  return Object.entries(texts).map(([code, text]) => ({ code, text }));
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The calendar date (YYYY-MM-DD) of an instant in China (UTC+8, no DST). */
export function chinaDate(instant: string): string {
  return new Date(Date.parse(instant) + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
