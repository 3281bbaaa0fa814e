import { DomainError } from './domain-error';
import { LISTING_DELETION_REASONS, type LiftReason, type RestrictionKind, type RestrictionStatus } from './restriction.types';
import type { WorkingDayCalendar } from './working-day-calendar';

// A debtor's request to correct the dishonest-debtor list (List Rules Arts. 11–12),
// the enforcing court's decision, reconsideration at the next higher court and
// the carrying out of an accepted request. Nothing here touches the restriction:
// neither a pending request nor a reconsideration suspends the listing.

export const CORRECTION_GROUNDS = ['SHOULD_NOT_BE_LISTED', 'INFORMATION_WRONG', 'SHOULD_BE_DELETED'] as const;
export type CorrectionGround = (typeof CORRECTION_GROUNDS)[number];

export const CORRECTION_STATUSES = [
  'FILED',
  'ACCEPTED',
  'REJECTED',
  'RECONSIDERATION_FILED',
  'RECONSIDERATION_ACCEPTED',
  'RECONSIDERATION_REJECTED',
  'CARRIED_OUT',
] as const;
export type CorrectionStatus = (typeof CORRECTION_STATUSES)[number];

export const CORRECTION_DECISIONS = ['ACCEPT', 'REJECT'] as const;
export type CorrectionDecision = (typeof CORRECTION_DECISIONS)[number];

export const CARRY_OUT_ACTIONS = ['REVOKE', 'AMEND', 'DELETE'] as const;
export type CarryOutAction = (typeof CARRY_OUT_ACTIONS)[number];

/** What an accepted request obliges the court to do to the listing. */
export const CARRY_OUT_ACTION_FOR: Record<CorrectionGround, CarryOutAction> = {
  SHOULD_NOT_BE_LISTED: 'REVOKE', // listed in error: revocation (Art. 9)
  INFORMATION_WRONG: 'AMEND', // recorded information (Art. 6) corrected
  SHOULD_BE_DELETED: 'DELETE', // an Art. 10 deletion reason already existed
};

/**
 * Deletion reasons for carrying out SHOULD_BE_DELETED: REVOKED belongs to SHOULD_NOT_BE_LISTED,
 * and TERM_EXPIRED is applied by the service itself when a term ends.
 */
export const CORRECTION_DELETION_REASONS: readonly LiftReason[] = LISTING_DELETION_REASONS.filter((r) => r !== 'REVOKED' && r !== 'TERM_EXPIRED');

/** List Rules Art. 12 periods; domain-rules §6 says which are working days. */
export const CORRECTION_PERIODS = {
  /** Court decides within 15 (calendar) days of the request. */
  decisionDays: 15,
  /** A justified request is corrected within 3 working days. */
  carryOutWorkingDays: 3,
  /** Reconsideration may be sought within 10 days of service of the rejection. */
  reconsiderationWindowDays: 10,
  /** The next higher court decides within 15 days. */
  reconsiderationDecisionDays: 15,
} as const;

/**
 * Art. 11 gives the correction procedure for the list only. A consumption-restriction
 * order (also a listing's linked one) or an exit ban is challenged by an enforcement
 * objection (CPL), not here.
 */
export const CORRECTABLE_KINDS: readonly RestrictionKind[] = ['DISHONEST_LISTING'];

export interface CorrectionRequest {
  id: string;
  restrictionId: string;
  /** The restriction's version when the request was filed. */
  restrictionVersion: number;
  /** The restriction's court; it decides and carries out. */
  enforcingCourtCode: string;
  ground: CorrectionGround;
  statement: string;
  status: CorrectionStatus;
  /** 1 on filing, +1 per transition; equals the seq of the request's latest timeline entry. */
  version: number;
  filedAt: string;
  decisionDueAt: string;
  decidedAt?: string;
  decidedBy?: string;
  decisionReason?: string;
  carryOutDueAt?: string;
  carryOutAction?: CarryOutAction;
  carriedOutAt?: string;
  carriedOutBy?: string;
  /** The restriction version that the carrying out produced. */
  carriedOutVersion?: number;
  /** End of the window for seeking reconsideration of a rejection. */
  reconsiderationDueBy?: string;
  reconsiderationStatement?: string;
  reconsiderationFiledAt?: string;
  reconsiderationCourtCode?: string;
  reconsiderationDueAt?: string;
  reconsiderationDecidedAt?: string;
  reconsiderationDecidedBy?: string;
  reconsiderationDecision?: CorrectionDecision;
  reconsiderationReason?: string;
}

/** What filing needs to know about the restriction. */
export interface CorrectableRestriction {
  id: string;
  kind: RestrictionKind;
  status: RestrictionStatus;
  version: number;
  courtCode: string;
}

export interface DeadlineContext {
  now: Date;
  calendar: WorkingDayCalendar;
}

export type PendingParty = 'ENFORCING_COURT' | 'HIGHER_COURT' | 'DEBTOR';
export interface PendingAct {
  act: 'DECISION' | 'CARRY_OUT' | 'RECONSIDERATION_FILING' | 'RECONSIDERATION_DECISION';
  party: PendingParty;
  dueAt: string;
}

export function fileCorrection(
  cmd: { ground: CorrectionGround; statement: string },
  restriction: CorrectableRestriction,
  ctx: DeadlineContext & { newId: () => string; earlierRequests: readonly CorrectionRequest[] },
): CorrectionRequest {
  if (!CORRECTABLE_KINDS.includes(restriction.kind)) {
    throw new DomainError('CORRECTION_KIND_NOT_ALLOWED', `Only a dishonest listing can be corrected on request (List Rules Art. 11), not a ${restriction.kind}`, 'restrictionId');
  }
  if (restriction.status !== 'ACTIVE') {
    throw new DomainError('CORRECTION_RESTRICTION_LIFTED', 'The listing has already ended; there is nothing to correct', 'restrictionId');
  }
  const open = ctx.earlierRequests.find((request) => isOpen(request, ctx.now));
  if (open) {
    throw new DomainError(
      'CORRECTION_ALREADY_OPEN',
      open.status === 'REJECTED'
        ? `Request ${open.id} was rejected and may still be brought to reconsideration until ${open.reconsiderationDueBy}`
        : `Request ${open.id} on this listing is still open (${open.status})`,
      'restrictionId',
    );
  }
  if (!CORRECTION_GROUNDS.includes(cmd.ground)) {
    throw new DomainError('FIELD_REQUIRED', `ground must be one of ${CORRECTION_GROUNDS.join(', ')}`, 'ground');
  }
  return {
    id: ctx.newId(),
    restrictionId: restriction.id,
    restrictionVersion: restriction.version,
    enforcingCourtCode: restriction.courtCode,
    ground: cmd.ground,
    statement: requiredText(cmd.statement, 'statement'),
    status: 'FILED',
    version: 1,
    filedAt: ctx.now.toISOString(),
    // Court-side periods are not extended past rest days: the stricter reading for the court.
    decisionDueAt: ctx.calendar.addCalendarDays(ctx.now, CORRECTION_PERIODS.decisionDays).toISOString(),
  };
}

export function decideCorrection(
  request: CorrectionRequest,
  cmd: { decision: CorrectionDecision; reason: string; by: string },
  ctx: DeadlineContext,
): CorrectionRequest {
  expectStatus(request, ['FILED'], 'decide');
  const decided = {
    ...request,
    version: request.version + 1,
    decidedAt: ctx.now.toISOString(),
    decidedBy: cmd.by,
    decisionReason: requiredText(cmd.reason, 'reason'),
  };
  if (decision(cmd.decision) === 'ACCEPT') {
    return { ...decided, status: 'ACCEPTED', carryOutDueAt: carryOutDue(ctx) };
  }
  // The rejection is served when decided (the debtor reads it from the service). The debtor's
  // period ending on a rest day runs to the next working day (Civil Code Art. 203, CPL periods).
  const windowEnd = ctx.calendar.addCalendarDays(ctx.now, CORRECTION_PERIODS.reconsiderationWindowDays, { extendPastRestDays: true });
  return { ...decided, status: 'REJECTED', reconsiderationDueBy: windowEnd.toISOString() };
}

export function fileReconsideration(
  request: CorrectionRequest,
  cmd: { statement: string },
  ctx: DeadlineContext & { higherCourtCode: string | null | undefined },
): CorrectionRequest {
  expectStatus(request, ['REJECTED'], 'seek reconsideration of');
  if (ctx.now.getTime() > Date.parse(request.reconsiderationDueBy!)) {
    throw new DomainError(
      'RECONSIDERATION_WINDOW_CLOSED',
      `Reconsideration had to be sought by ${request.reconsiderationDueBy} (${CORRECTION_PERIODS.reconsiderationWindowDays} days after the rejection, List Rules Art. 12)`,
    );
  }
  if (!ctx.higherCourtCode) {
    throw new DomainError('NO_HIGHER_COURT', `Court ${request.enforcingCourtCode} has no higher court registered to reconsider its decision`);
  }
  return {
    ...request,
    status: 'RECONSIDERATION_FILED',
    version: request.version + 1,
    reconsiderationStatement: requiredText(cmd.statement, 'statement'),
    reconsiderationFiledAt: ctx.now.toISOString(),
    reconsiderationCourtCode: ctx.higherCourtCode,
    reconsiderationDueAt: ctx.calendar.addCalendarDays(ctx.now, CORRECTION_PERIODS.reconsiderationDecisionDays).toISOString(),
  };
}

export function decideReconsideration(
  request: CorrectionRequest,
  cmd: { decision: CorrectionDecision; reason: string; by: string },
  ctx: DeadlineContext,
): CorrectionRequest {
  expectStatus(request, ['RECONSIDERATION_FILED'], 'decide the reconsideration of');
  const accepted = decision(cmd.decision) === 'ACCEPT';
  return {
    ...request,
    status: accepted ? 'RECONSIDERATION_ACCEPTED' : 'RECONSIDERATION_REJECTED',
    version: request.version + 1,
    reconsiderationDecision: cmd.decision,
    reconsiderationDecidedAt: ctx.now.toISOString(),
    reconsiderationDecidedBy: cmd.by,
    reconsiderationReason: requiredText(cmd.reason, 'reason'),
    // The enforcing court then corrects as for an accepted request.
    ...(accepted ? { carryOutDueAt: carryOutDue(ctx) } : {}),
  };
}

export type CarryOutPlan = { change: 'AMEND' } | { change: 'LIFT'; liftReason: LiftReason };

export interface CarryOutCommand {
  action: CarryOutAction;
  /** AMEND: the corrected fields (checked by the restriction's own amend rules). */
  amend?: unknown;
  liftReason?: LiftReason;
  note?: string;
  includeLinked?: boolean;
}

/** Checks the court's instruction against the accepted request; the caller then changes the restriction. */
export function planCarryOut(request: CorrectionRequest, cmd: CarryOutCommand): CarryOutPlan {
  expectStatus(request, ['ACCEPTED', 'RECONSIDERATION_ACCEPTED'], 'carry out');
  const expected = CARRY_OUT_ACTION_FOR[request.ground];
  if (cmd.action !== expected) {
    throw new DomainError('CARRY_OUT_ACTION_MISMATCH', `A request on ground ${request.ground} is carried out by ${expected}, not ${cmd.action}`, 'action');
  }
  const refuse = (field: keyof CarryOutCommand, why: string) => {
    if (cmd[field] !== undefined) throw new DomainError('FIELD_NOT_ALLOWED', `${field} ${why}`, field);
  };
  switch (cmd.action) {
    case 'AMEND':
      if (cmd.amend === undefined) throw new DomainError('FIELD_REQUIRED', 'action AMEND needs the corrected fields in amend', 'amend');
      for (const field of ['liftReason', 'note', 'includeLinked'] as const) refuse(field, 'applies to REVOKE and DELETE only');
      return { change: 'AMEND' };
    case 'REVOKE':
      refuse('amend', 'applies to AMEND only');
      refuse('liftReason', 'is not given for REVOKE: a revocation lifts with REVOKED');
      return { change: 'LIFT', liftReason: 'REVOKED' };
    case 'DELETE':
      refuse('amend', 'applies to AMEND only');
      if (cmd.liftReason === undefined) throw new DomainError('FIELD_REQUIRED', 'action DELETE needs the deletion reason in liftReason', 'liftReason');
      if (!CORRECTION_DELETION_REASONS.includes(cmd.liftReason)) {
        throw new DomainError('LIFT_REASON_NOT_ALLOWED', `liftReason must be one of ${CORRECTION_DELETION_REASONS.join(', ')}`, 'liftReason');
      }
      return { change: 'LIFT', liftReason: cmd.liftReason };
  }
}

export function completeCarryOut(
  request: CorrectionRequest,
  cmd: { action: CarryOutAction; restrictionVersion: number; by: string },
  ctx: { now: Date },
): CorrectionRequest {
  expectStatus(request, ['ACCEPTED', 'RECONSIDERATION_ACCEPTED'], 'carry out');
  return {
    ...request,
    status: 'CARRIED_OUT',
    version: request.version + 1,
    carryOutAction: cmd.action,
    carriedOutAt: ctx.now.toISOString(),
    carriedOutBy: cmd.by,
    carriedOutVersion: cmd.restrictionVersion,
  };
}

/** The next act the procedure waits for, by whom and by when; null once the request is closed. */
export function pendingAct(request: CorrectionRequest, now: Date): PendingAct | null {
  switch (request.status) {
    case 'FILED':
      return { act: 'DECISION', party: 'ENFORCING_COURT', dueAt: request.decisionDueAt };
    case 'ACCEPTED':
    case 'RECONSIDERATION_ACCEPTED':
      return { act: 'CARRY_OUT', party: 'ENFORCING_COURT', dueAt: request.carryOutDueAt! };
    case 'REJECTED':
      return reconsiderationWindowOpen(request, now) ? { act: 'RECONSIDERATION_FILING', party: 'DEBTOR', dueAt: request.reconsiderationDueBy! } : null;
    case 'RECONSIDERATION_FILED':
      return { act: 'RECONSIDERATION_DECISION', party: 'HIGHER_COURT', dueAt: request.reconsiderationDueAt! };
    case 'RECONSIDERATION_REJECTED':
    case 'CARRIED_OUT':
      return null;
  }
}

/** A court has not acted by its deadline. (A debtor's window simply closes.) */
export function isOverdue(request: CorrectionRequest, now: Date): boolean {
  const pending = pendingAct(request, now);
  return pending !== null && pending.party !== 'DEBTOR' && now.getTime() > Date.parse(pending.dueAt);
}

export function reconsiderationWindowOpen(request: CorrectionRequest, now: Date): boolean {
  return request.status === 'REJECTED' && request.reconsiderationDueBy !== undefined && now.getTime() <= Date.parse(request.reconsiderationDueBy);
}

/**
 * One open request per listing. A rejection stays open while reconsideration may still be
 * sought, so a fresh request cannot race the reconsideration of the old one.
 */
export function isOpen(request: CorrectionRequest, now: Date): boolean {
  return pendingAct(request, now) !== null;
}

function carryOutDue(ctx: DeadlineContext): string {
  return ctx.calendar.addWorkingDays(ctx.now, CORRECTION_PERIODS.carryOutWorkingDays).toISOString();
}

function decision(value: CorrectionDecision): CorrectionDecision {
  if (!CORRECTION_DECISIONS.includes(value)) throw new DomainError('FIELD_REQUIRED', `decision must be ACCEPT or REJECT`, 'decision');
  return value;
}

function expectStatus(request: CorrectionRequest, allowed: readonly CorrectionStatus[], act: string): void {
  if (!allowed.includes(request.status)) {
    throw new DomainError('CORRECTION_INVALID_TRANSITION', `Cannot ${act} request ${request.id}: it is ${request.status}, not ${allowed.join(' or ')}`);
  }
}

function requiredText(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new DomainError('FIELD_REQUIRED', `${field} must not be empty`, field);
  return text;
}
