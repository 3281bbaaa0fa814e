import { DomainError } from './domain-error';
import { ageOn, birthDateFromResidentId, checkIdentifierFitsSubject, validateIdentifier } from './identifiers';
import type { AmendCommand, GrantPermissionCommand, ImposeCommand, ImposeContext, LiftCommand, PriorListing } from './restriction.commands';
import {
  CONSUMPTION_MEASURES,
  LISTING_DELETION_REASONS,
  LISTING_GROUNDS,
  SUBJECT_TYPES,
  type AffectedPerson,
  type CaseInfo,
  type ConsumptionMeasure,
  type Identifier,
  type LiftReason,
  type PersonRole,
  type RestrictionKind,
  type RestrictionState,
  type Subject,
  type SubjectType,
} from './restriction.types';
import { addMonthsInChina, addMonthsToDate, chinaDateOf, parseInstant, parseLocalDate } from './time';

export const ALL_MEASURES: readonly ConsumptionMeasure[] = CONSUMPTION_MEASURES;

const LISTING_TERM_YEARS = 2; // List Rules Art. 2
const MAX_EXTENSION_YEARS = 3; // List Rules Art. 2
const GRACE_MONTHS = { min: 1, max: 3 }; // 法发〔2019〕35号
const RELISTING_BAR_MONTHS = 6; // List Rules Art. 10, after deletion under item (3)
const ADULT_AGE = 18; // List Rules Art. 4
const CLOCK_SKEW_MS = 5 * 60_000;

const OFFICERS = ['LEGAL_REPRESENTATIVE', 'PRINCIPAL_PERSON_IN_CHARGE', 'DIRECTLY_RESPONSIBLE_PERSON'] as const;

export const ALLOWED_AFFECTED_ROLES: Record<RestrictionKind, Record<SubjectType, readonly PersonRole[]>> = {
  // Recorded information (List Rules Art. 6); a person's legal agent carries over to the linked consumption restriction.
  DISHONEST_LISTING: { ORGANISATION: [...OFFICERS, 'ACTUAL_CONTROLLER'], PERSON: ['LEGAL_AGENT'] },
  // Consumption Rules Art. 3 ¶2.
  CONSUMPTION_RESTRICTION: { ORGANISATION: [...OFFICERS, 'ACTUAL_CONTROLLER'], PERSON: ['LEGAL_AGENT'] },
  // Enforcement Interpretation Art. 24 names no actual controller.
  EXIT_BAN: { ORGANISATION: OFFICERS, PERSON: ['LEGAL_AGENT'] },
};

// Consumption Rules Art. 9, Enforcement Interpretation Art. 25, plus revocation of an order made in error.
const COURT_LIFT_REASONS = ['PERFORMED', 'SECURITY_PROVIDED', 'CREDITOR_CONSENT', 'REVOKED'] as const;

export function liftReasonsFor(state: Pick<RestrictionState, 'kind' | 'linkedListingId'>): readonly LiftReason[] {
  switch (state.kind) {
    case 'DISHONEST_LISTING':
      return LISTING_DELETION_REASONS;
    case 'CONSUMPTION_RESTRICTION':
      return state.linkedListingId ? [...new Set<LiftReason>([...COURT_LIFT_REASONS, ...LISTING_DELETION_REASONS])] : COURT_LIFT_REASONS;
    case 'EXIT_BAN':
      return [...COURT_LIFT_REASONS, 'TERM_EXPIRED'];
  }
}

export function imposeRestriction(cmd: ImposeCommand, ctx: ImposeContext): RestrictionState[] {
  const decidedAt = parseInstant(cmd.decidedAt, 'decidedAt');
  if (decidedAt.getTime() > ctx.now.getTime() + CLOCK_SKEW_MS) {
    throw new DomainError('INVALID_DATE_RANGE', 'decidedAt must not be in the future', 'decidedAt');
  }
  const isListing = cmd.kind === 'DISHONEST_LISTING';
  if (isListing) refuseListingExpiry(cmd.expiresAt);
  const restriction = validateRestrictionState(
    {
      id: ctx.newId(),
      kind: cmd.kind,
      version: 1,
      status: 'ACTIVE',
      subject: cmd.subject,
      affectedPersons: cmd.affectedPersons ?? [],
      case: cmd.case,
      initiatedBy: cmd.initiatedBy ?? 'EX_OFFICIO',
      ground: cmd.ground,
      extensionYears: cmd.extensionYears,
      noExclusionAttested: cmd.noExclusionAttested,
      obligation: cmd.obligation,
      performanceStatus: cmd.performanceStatus,
      dishonestConduct: cmd.dishonestConduct,
      // A listing's measures belong to its linked consumption restriction.
      measures: isListing ? undefined : cmd.kind === 'CONSUMPTION_RESTRICTION' ? (cmd.measures ?? [...ALL_MEASURES]) : cmd.measures,
      decidedAt: cmd.decidedAt,
      effectiveAt: cmd.effectiveAt ?? cmd.decidedAt,
      publishAfter: cmd.publishAfter,
      expiresAt: cmd.expiresAt,
    },
    ctx.now,
  );
  if (!isListing) return [restriction];
  checkPriorListings(restriction, ctx.priorListings);
  // Consumption Rules Art. 1: a listed debtor shall also be consumption-restricted.
  const linked = validateRestrictionState(
    {
      id: ctx.newId(),
      kind: 'CONSUMPTION_RESTRICTION',
      version: 1,
      status: 'ACTIVE',
      subject: restriction.subject,
      affectedPersons: restriction.affectedPersons.filter((p) =>
        ALLOWED_AFFECTED_ROLES.CONSUMPTION_RESTRICTION[restriction.subject.type].includes(p.role),
      ),
      case: restriction.case,
      initiatedBy: restriction.initiatedBy,
      measures: cmd.measures ?? [...ALL_MEASURES],
      linkedListingId: restriction.id,
      decidedAt: restriction.decidedAt,
      effectiveAt: restriction.effectiveAt,
      publishAfter: restriction.publishAfter,
    },
    ctx.now,
  );
  return [restriction, linked];
}

function checkPriorListings(listing: RestrictionState, priors: PriorListing[]): void {
  const sameCase = priors.filter((p) => p.caseNumber.trim() === listing.case.caseNumber);
  if (sameCase.some((p) => p.status === 'ACTIVE')) {
    throw new DomainError('ALREADY_LISTED', 'The debtor is already listed in this case', 'case.caseNumber');
  }
  if (listing.initiatedBy !== 'CREDITOR_APPLICATION') return;
  const decidedOn = chinaDateOf(new Date(listing.decidedAt));
  // List Rules Art. 10: after deletion at the creditor's request, the creditor's re-listing
  // application within 6 months is not supported. An unknown deletion date counts as recent.
  const barred = sameCase.some(
    (p) =>
      p.status === 'LIFTED' &&
      p.liftReason === 'CREDITOR_REQUEST' &&
      (!p.liftedAt || decidedOn < addMonthsToDate(chinaDateOf(new Date(p.liftedAt)), RELISTING_BAR_MONTHS)),
  );
  if (barred) {
    throw new DomainError(
      'RELISTING_BARRED',
      `A creditor may not apply to re-list within ${RELISTING_BAR_MONTHS} months of a deletion at its own request`,
      'initiatedBy',
    );
  }
}

export function amendRestriction(state: RestrictionState, cmd: AmendCommand, ctx: { now: Date }): RestrictionState {
  if (state.status === 'LIFTED') throw new DomainError('ALREADY_LIFTED', 'A lifted restriction cannot be amended');
  if (cmd.subject?.type !== undefined && cmd.subject.type !== state.subject.type) {
    throw new DomainError('FIELD_NOT_AMENDABLE', 'The subject type cannot be corrected; revoke and impose anew', 'subject.type');
  }
  if (state.kind === 'DISHONEST_LISTING') refuseListingExpiry(cmd.expiresAt);
  if (cmd.publishAfter !== undefined && !(state.publishAfter && Date.parse(state.publishAfter) > ctx.now.getTime())) {
    throw new DomainError('FIELD_NOT_AMENDABLE', 'publishAfter can only be changed before publication', 'publishAfter');
  }
  return validateRestrictionState(
    {
      ...state,
      version: state.version + 1,
      subject: patched<Subject>(state.subject, cmd.subject),
      affectedPersons: cmd.affectedPersons ?? state.affectedPersons,
      case: patched<CaseInfo>(state.case, cmd.case),
      ground: cmd.ground ?? state.ground,
      extensionYears: cmd.extensionYears === null ? undefined : (cmd.extensionYears ?? state.extensionYears),
      noExclusionAttested: cmd.noExclusionAttested ?? state.noExclusionAttested,
      obligation: cmd.obligation ?? state.obligation,
      performanceStatus: cmd.performanceStatus ?? state.performanceStatus,
      dishonestConduct: cmd.dishonestConduct ?? state.dishonestConduct,
      measures: cmd.measures ?? state.measures,
      effectiveAt: cmd.effectiveAt ?? state.effectiveAt,
      publishAfter: cmd.publishAfter === null ? undefined : (cmd.publishAfter ?? state.publishAfter),
      expiresAt: cmd.expiresAt === null ? undefined : (cmd.expiresAt ?? state.expiresAt),
    },
    ctx.now,
  );
}

function refuseListingExpiry(expiresAt: string | null | undefined): void {
  if (expiresAt !== undefined) {
    throw new DomainError('EXPIRY_NOT_ALLOWED', "A listing's term follows from its ground (List Rules Art. 2) and cannot be set", 'expiresAt');
  }
}

/**
 * Normalises and checks a complete state against every rule of its kind; the single
 * validation path for impose and amend. Listing expiry is (re)computed here.
 */
export function validateRestrictionState(draft: RestrictionState, now: Date): RestrictionState {
  const { kind } = draft;
  const subject = checkedSubject(draft.subject, now);
  const decidedAt = parseInstant(draft.decidedAt, 'decidedAt');
  const effectiveAt = parseInstant(draft.effectiveAt, 'effectiveAt');
  if (effectiveAt < decidedAt) throw new DomainError('INVALID_DATE_RANGE', 'effectiveAt must not be before decidedAt', 'effectiveAt');
  const listingPart = kind === 'DISHONEST_LISTING' ? checkedListing(draft, subject, decidedAt, effectiveAt) : refuseListingFields(draft);

  if (kind !== 'CONSUMPTION_RESTRICTION' && draft.measures !== undefined) {
    throw new DomainError('MEASURES_NOT_ALLOWED', `${kind} carries no consumption measures`, 'measures');
  }
  let expiresAt = listingPart.expiresAt;
  if (kind === 'CONSUMPTION_RESTRICTION' && draft.expiresAt !== undefined) {
    throw new DomainError('EXPIRY_NOT_ALLOWED', 'A consumption restriction ends only by lifting (Consumption Rules Art. 9)', 'expiresAt');
  }
  if (kind === 'EXIT_BAN' && draft.expiresAt !== undefined) {
    const end = parseInstant(draft.expiresAt, 'expiresAt');
    if (end <= effectiveAt) throw new DomainError('INVALID_DATE_RANGE', 'expiresAt must be after effectiveAt', 'expiresAt');
    expiresAt = end.toISOString();
  }

  return compact<RestrictionState>({
    id: draft.id,
    kind,
    version: draft.version,
    status: draft.status,
    subject,
    affectedPersons: checkedAffectedPersons(kind, subject.type, draft.affectedPersons ?? [], now),
    case: checkedCase(draft.case, decidedAt),
    initiatedBy: draft.initiatedBy,
    ...listingPart,
    measures: kind === 'CONSUMPTION_RESTRICTION' ? checkedMeasures(draft.measures, 'measures') : undefined,
    permissions: kind === 'CONSUMPTION_RESTRICTION' ? (draft.permissions ?? []) : undefined,
    linkedListingId: kind === 'CONSUMPTION_RESTRICTION' ? draft.linkedListingId : undefined,
    decidedAt: decidedAt.toISOString(),
    effectiveAt: effectiveAt.toISOString(),
    publishAfter: checkedPublishAfter(draft, decidedAt),
    expiresAt,
    liftedAt: draft.liftedAt,
    liftReason: draft.liftReason,
    liftNote: draft.liftNote,
  });
}

type ListingPart = Pick<
  RestrictionState,
  'ground' | 'extensionYears' | 'noExclusionAttested' | 'obligation' | 'performanceStatus' | 'dishonestConduct' | 'expiresAt'
>;

function checkedListing(draft: RestrictionState, subject: Subject, decidedAt: Date, effectiveAt: Date): ListingPart {
  const { ground, extensionYears } = draft;
  if (!ground || !LISTING_GROUNDS.includes(ground)) {
    throw new DomainError('GROUND_REQUIRED', `A listing needs exactly one ground: ${LISTING_GROUNDS.join(', ')}`, 'ground');
  }
  if (subject.identifier.type === 'RESIDENT_ID' && ageOn(birthDateFromResidentId(subject.identifier.value), decidedAt) < ADULT_AGE) {
    throw new DomainError('SUBJECT_IS_MINOR', 'A minor must not be listed (List Rules Art. 4)', 'subject.identifier.value');
  }
  const recorded = {
    ground,
    obligation: optionalText(draft.obligation),
    performanceStatus: optionalText(draft.performanceStatus),
    dishonestConduct: optionalText(draft.dishonestConduct),
  };
  if (ground === 'ABLE_BUT_REFUSES') {
    // Art. 3 exclusions are the court's judgment; it must attest none applies. Ground 1 has no term (Art. 2).
    if (draft.noExclusionAttested !== true) {
      throw new DomainError('EXCLUSION_ATTESTATION_REQUIRED', 'Ground ABLE_BUT_REFUSES needs the court to attest no List Rules Art. 3 exclusion applies', 'noExclusionAttested');
    }
    if (extensionYears !== undefined) {
      throw new DomainError('TERM_NOT_ALLOWED_FOR_GROUND', 'Ground ABLE_BUT_REFUSES has no term to extend (List Rules Art. 2)', 'extensionYears');
    }
    return { ...recorded, noExclusionAttested: true };
  }
  if (extensionYears !== undefined && !(Number.isInteger(extensionYears) && extensionYears >= 1 && extensionYears <= MAX_EXTENSION_YEARS)) {
    throw new DomainError('EXTENSION_OUT_OF_RANGE', `extensionYears must be a whole number from 1 to ${MAX_EXTENSION_YEARS} (List Rules Art. 2)`, 'extensionYears');
  }
  const termYears = LISTING_TERM_YEARS + (extensionYears ?? 0);
  return {
    ...recorded,
    extensionYears,
    noExclusionAttested: draft.noExclusionAttested,
    expiresAt: addMonthsInChina(effectiveAt, 12 * termYears).toISOString(),
  };
}

function refuseListingFields(draft: RestrictionState): ListingPart {
  for (const field of ['ground', 'extensionYears', 'noExclusionAttested'] as const) {
    if (draft[field] !== undefined) throw new DomainError('GROUND_NOT_ALLOWED', `${field} applies to dishonest listings only`, field);
  }
  for (const field of ['obligation', 'performanceStatus', 'dishonestConduct'] as const) {
    if (draft[field] !== undefined) throw new DomainError('FIELD_NOT_ALLOWED', `${field} is recorded on dishonest listings only`, field);
  }
  return {};
}

function checkedPublishAfter(draft: RestrictionState, decidedAt: Date): string | undefined {
  if (draft.publishAfter === undefined) return undefined;
  const fromListing = draft.kind === 'DISHONEST_LISTING' || (draft.kind === 'CONSUMPTION_RESTRICTION' && draft.linkedListingId !== undefined);
  if (!fromListing) throw new DomainError('GRACE_PERIOD_NOT_ALLOWED', 'Only a listing (and its linked consumption restriction) has a grace period', 'publishAfter');
  const publishAfter = parseInstant(draft.publishAfter, 'publishAfter');
  // Compared by China calendar date, so "one month from the decision" means that date, any hour.
  const decidedOn = chinaDateOf(decidedAt);
  const publishOn = chinaDateOf(publishAfter);
  if (publishOn < addMonthsToDate(decidedOn, GRACE_MONTHS.min) || publishOn > addMonthsToDate(decidedOn, GRACE_MONTHS.max)) {
    throw new DomainError('GRACE_PERIOD_OUT_OF_RANGE', `publishAfter must be ${GRACE_MONTHS.min} to ${GRACE_MONTHS.max} months after decidedAt`, 'publishAfter');
  }
  return publishAfter.toISOString();
}

function checkedSubject(subject: Subject, now: Date): Subject {
  if (!SUBJECT_TYPES.includes(subject?.type)) {
    throw new DomainError('FIELD_REQUIRED', `subject.type must be one of ${SUBJECT_TYPES.join(', ')}`, 'subject.type');
  }
  const identifier = validateIdentifier(subject.identifier, 'subject.identifier.value', now);
  checkIdentifierFitsSubject(subject.type, identifier, 'subject.identifier.type');
  // List Rules Art. 6 records sex for persons, the legal representative for organisations.
  if (subject.type === 'ORGANISATION' && subject.sex !== undefined) {
    throw new DomainError('FIELD_NOT_ALLOWED', 'sex is recorded for persons only', 'subject.sex');
  }
  if (subject.type === 'PERSON' && subject.legalRepresentative !== undefined) {
    throw new DomainError('FIELD_NOT_ALLOWED', 'legalRepresentative is recorded for organisations only', 'subject.legalRepresentative');
  }
  return compact<Subject>({
    type: subject.type,
    name: requiredText(subject.name, 'subject.name'),
    identifier,
    sex: subject.sex,
    legalRepresentative: optionalText(subject.legalRepresentative),
  });
}

function checkedAffectedPersons(kind: RestrictionKind, subjectType: SubjectType, persons: AffectedPerson[], now: Date): AffectedPerson[] {
  const allowed = ALLOWED_AFFECTED_ROLES[kind][subjectType];
  const checked = persons.map((person, i) => {
    const at = `affectedPersons.${i}`;
    if (!allowed.includes(person.role)) {
      throw new DomainError('AFFECTED_PERSON_ROLE_NOT_ALLOWED', `${kind} of a ${subjectType} may name only ${allowed.join(', ')}`, `${at}.role`);
    }
    const identifier = validateIdentifier(person.identifier, `${at}.identifier.value`, now);
    checkIdentifierFitsSubject('PERSON', identifier, `${at}.identifier.type`);
    return { role: person.role, name: requiredText(person.name, `${at}.name`), identifier };
  });
  if (kind === 'EXIT_BAN' && subjectType === 'ORGANISATION' && checked.length === 0) {
    // An organisation cannot be stopped at the border; its officers can (Enforcement Interpretation Art. 24).
    throw new DomainError('AFFECTED_PERSONS_REQUIRED', 'An exit ban on an organisation must name the persons it restricts', 'affectedPersons');
  }
  return checked;
}

function checkedCase(info: CaseInfo, decidedAt: Date): CaseInfo {
  const filingDate = parseLocalDate(info?.filingDate, 'case.filingDate');
  if (filingDate > chinaDateOf(decidedAt)) {
    throw new DomainError('INVALID_DATE_RANGE', 'case.filingDate must not be after decidedAt', 'case.filingDate');
  }
  return {
    caseNumber: requiredText(info.caseNumber, 'case.caseNumber'),
    courtCode: requiredText(info.courtCode, 'case.courtCode'),
    enforcementBasis: {
      issuer: requiredText(info.enforcementBasis?.issuer, 'case.enforcementBasis.issuer'),
      documentNumber: requiredText(info.enforcementBasis?.documentNumber, 'case.enforcementBasis.documentNumber'),
    },
    filingDate,
  };
}

function checkedMeasures(measures: readonly ConsumptionMeasure[] | undefined, field: string): ConsumptionMeasure[] {
  if (!measures || measures.length === 0) throw new DomainError('MEASURES_REQUIRED', `${field} must name at least one measure`, field);
  measures.forEach((measure, i) => {
    if (!CONSUMPTION_MEASURES.includes(measure)) throw new DomainError('INVALID_MEASURES', `Unknown measure ${measure}`, `${field}.${i}`);
    if (measures.indexOf(measure) !== i) throw new DomainError('INVALID_MEASURES', `Measure ${measure} is listed twice`, `${field}.${i}`);
  });
  return [...measures];
}

export function liftRestriction(state: RestrictionState, cmd: LiftCommand, ctx: { now: Date; system?: boolean }): RestrictionState {
  if (state.status === 'LIFTED') throw new DomainError('ALREADY_LIFTED', 'The restriction is already lifted');
  if (!liftReasonsFor(state).includes(cmd.reason)) {
    throw new DomainError('LIFT_REASON_NOT_ALLOWED', `${cmd.reason} does not end a ${state.kind}; allowed: ${liftReasonsFor(state).join(', ')}`, 'reason');
  }
  if (cmd.reason === 'TERM_EXPIRED' && !ctx.system) {
    throw new DomainError('LIFT_REASON_RESERVED', 'TERM_EXPIRED is applied by the service when a term ends', 'reason');
  }
  const liftedAt = cmd.liftedAt === undefined ? ctx.now : parseInstant(cmd.liftedAt, 'liftedAt');
  if (liftedAt < new Date(state.decidedAt) || liftedAt.getTime() > ctx.now.getTime() + CLOCK_SKEW_MS) {
    throw new DomainError('INVALID_DATE_RANGE', 'liftedAt must be between decidedAt and now', 'liftedAt');
  }
  // Only a term of its own ends a restriction: a listing's consumption restriction outlives the listing's term.
  const ownTermEnded = state.expiresAt !== undefined && Date.parse(state.expiresAt) <= liftedAt.getTime();
  if (cmd.reason === 'TERM_EXPIRED' && !ownTermEnded) {
    throw new DomainError('LIFT_REASON_NOT_ALLOWED', 'The term has not expired', 'reason');
  }
  return compact<RestrictionState>({
    ...state,
    version: state.version + 1,
    status: 'LIFTED',
    liftedAt: liftedAt.toISOString(),
    liftReason: cmd.reason,
    liftNote: optionalText(cmd.note),
  });
}

export function grantPermission(
  state: RestrictionState,
  cmd: GrantPermissionCommand,
  ctx: { now: Date; newId: () => string },
): RestrictionState {
  if (state.kind !== 'CONSUMPTION_RESTRICTION' || state.status !== 'ACTIVE') {
    throw new DomainError('PERMISSION_NOT_ALLOWED', 'Necessity permissions exist only on an active consumption restriction (Consumption Rules Art. 8)');
  }
  const measures = checkedMeasures(cmd.measures, 'measures');
  measures.forEach((measure, i) => {
    if (!state.measures?.includes(measure)) {
      throw new DomainError('MEASURES_NOT_ALLOWED', `${measure} is not restricted by this order`, `measures.${i}`);
    }
  });
  const validFrom = parseInstant(cmd.validFrom, 'validFrom');
  const validUntil = parseInstant(cmd.validUntil, 'validUntil');
  if (validUntil <= validFrom) throw new DomainError('INVALID_DATE_RANGE', 'validUntil must be after validFrom', 'validUntil');
  if (validUntil <= ctx.now) throw new DomainError('INVALID_DATE_RANGE', 'validUntil must be in the future', 'validUntil');
  const reason = requiredText(cmd.reason, 'reason');
  let personIdentifier: Identifier | undefined;
  if (cmd.personIdentifier !== undefined) {
    const id = validateIdentifier(cmd.personIdentifier, 'personIdentifier.value', ctx.now);
    if (!state.affectedPersons.some((p) => sameIdentifier(p.identifier, id))) {
      throw new DomainError('PERMISSION_NOT_ALLOWED', 'personIdentifier must be one of the affected persons', 'personIdentifier.value');
    }
    personIdentifier = id;
  }
  const permission = compact({
    id: ctx.newId(),
    measures,
    validFrom: validFrom.toISOString(),
    validUntil: validUntil.toISOString(),
    reason,
    personIdentifier,
    grantedAt: ctx.now.toISOString(),
  });
  return { ...state, version: state.version + 1, permissions: [...(state.permissions ?? []), permission] };
}

export function expiryDue(state: RestrictionState, now: Date): boolean {
  return state.status === 'ACTIVE' && state.expiresAt !== undefined && Date.parse(state.expiresAt) <= now.getTime();
}

export function expireRestriction(state: RestrictionState, now: Date): RestrictionState {
  return liftRestriction(state, { reason: 'TERM_EXPIRED' }, { now, system: true });
}

/** Grace period (法发〔2019〕35号): neither public nor distributed before publishAfter. */
export function isPublished(state: RestrictionState, now: Date): boolean {
  return state.publishAfter === undefined || Date.parse(state.publishAfter) <= now.getTime();
}

function sameIdentifier(a: Identifier, b: Identifier): boolean {
  return a.type === b.type && a.value === b.value && (a.country ?? '') === (b.country ?? '');
}

function requiredText(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new DomainError('FIELD_REQUIRED', `${field} must not be empty`, field);
  return text;
}

function optionalText(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** Absent (undefined) patch values leave the base unchanged. */
function patched<T extends object>(base: T, patch: Partial<T> | undefined): T {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

/** Drops undefined keys so states serialise and compare cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
