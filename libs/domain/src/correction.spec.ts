import {
  CARRY_OUT_ACTION_FOR,
  completeCarryOut,
  decideCorrection,
  decideReconsideration,
  fileCorrection,
  fileReconsideration,
  isOpen,
  isOverdue,
  pendingAct,
  planCarryOut,
  reconsiderationWindowOpen,
  type CorrectableRestriction,
  type CorrectionGround,
  type CorrectionRequest,
} from './correction';
import { domainErrorOf } from './testing/fixtures';
import { WorkingDayCalendar } from './working-day-calendar';

const calendar = WorkingDayCalendar.default();
/** An instant at a China wall-clock time. */
const at = (date: string, time = '10:00') => new Date(`${date}T${time}:00+08:00`);
/** A deadline: the last millisecond of a China date. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

const listing = (overrides: Partial<CorrectableRestriction> = {}): CorrectableRestriction => ({
  id: 'r-1',
  kind: 'DISHONEST_LISTING',
  status: 'ACTIVE',
  version: 1,
  courtCode: '110108',
  ...overrides,
});

const file = (now: Date, overrides: { ground?: CorrectionGround; statement?: string; earlier?: CorrectionRequest[]; restriction?: Partial<CorrectableRestriction> } = {}) =>
  fileCorrection({ ground: overrides.ground ?? 'SHOULD_NOT_BE_LISTED', statement: overrides.statement ?? '我不是本案被执行人' }, listing(overrides.restriction), {
    now,
    calendar,
    newId: () => 'c-1',
    earlierRequests: overrides.earlier ?? [],
  });
const decide = (request: CorrectionRequest, decision: 'ACCEPT' | 'REJECT', now: Date) =>
  decideCorrection(request, { decision, reason: '经审查', by: 'court:110108' }, { now, calendar });
const reconsider = (request: CorrectionRequest, now: Date, higherCourtCode: string | null = '110000') =>
  fileReconsideration(request, { statement: '原决定认定事实错误' }, { now, calendar, higherCourtCode });
const decideHigher = (request: CorrectionRequest, decision: 'ACCEPT' | 'REJECT', now: Date) =>
  decideReconsideration(request, { decision, reason: '复议审查', by: 'court:110000' }, { now, calendar });

/** A request rejected at 10:00 on the date. */
const rejectedOn = (date: string) => decide(file(at(date, '09:00')), 'REJECT', at(date));

describe('fileCorrection (List Rules Art. 11)', () => {
  it('files a request on an active listing: decision due at the end of the 15th calendar day', () => {
    const request = file(at('2026-03-02'));
    expect(request).toMatchObject({
      id: 'c-1',
      restrictionId: 'r-1',
      restrictionVersion: 1,
      enforcingCourtCode: '110108',
      status: 'FILED',
      version: 1,
      filedAt: at('2026-03-02').toISOString(),
      decisionDueAt: endOf('2026-03-17'),
    });
    expect(pendingAct(request, at('2026-03-02'))).toEqual({ act: 'DECISION', party: 'ENFORCING_COURT', dueAt: endOf('2026-03-17') });
  });

  it("does not extend the court's 15 days past a holiday", () => {
    expect(file(at('2026-09-16')).decisionDueAt).toBe(endOf('2026-10-01')); // National Day
  });

  it.each(['CONSUMPTION_RESTRICTION', 'EXIT_BAN'] as const)('refuses a %s: Art. 11 concerns the list only', (kind) => {
    expect(domainErrorOf(() => file(at('2026-03-02'), { restriction: { kind } }))).toMatchObject({ code: 'CORRECTION_KIND_NOT_ALLOWED', field: 'restrictionId' });
  });

  it('refuses a lifted listing', () => {
    expect(domainErrorOf(() => file(at('2026-03-02'), { restriction: { status: 'LIFTED' } })).code).toBe('CORRECTION_RESTRICTION_LIFTED');
  });

  it('refuses a blank statement and an unknown ground', () => {
    expect(domainErrorOf(() => file(at('2026-03-02'), { statement: '  ' }))).toMatchObject({ code: 'FIELD_REQUIRED', field: 'statement' });
    expect(domainErrorOf(() => file(at('2026-03-02'), { ground: 'WRONG' as CorrectionGround }))).toMatchObject({ code: 'FIELD_REQUIRED', field: 'ground' });
  });

  it('allows one open request per listing at a time', () => {
    const filed = file(at('2026-03-02'));
    const accepted = decide(filed, 'ACCEPT', at('2026-03-03'));
    const reconsidering = reconsider(rejectedOn('2026-03-03'), at('2026-03-05'));
    for (const open of [filed, accepted, reconsidering, decideHigher(reconsidering, 'ACCEPT', at('2026-03-06'))]) {
      expect(domainErrorOf(() => file(at('2026-03-10'), { earlier: [open] })).code).toBe('CORRECTION_ALREADY_OPEN');
    }
  });

  it('treats a rejection as open while reconsideration may be sought, closed after the window', () => {
    const rejected = rejectedOn('2026-03-03'); // window ends Fri 13 Mar
    expect(domainErrorOf(() => file(new Date(endOf('2026-03-13')), { earlier: [rejected] })).code).toBe('CORRECTION_ALREADY_OPEN');
    expect(file(at('2026-03-14', '00:00'), { earlier: [rejected] }).status).toBe('FILED');
  });

  it('allows a new request once the earlier one is carried out or finally rejected', () => {
    const carried = completeCarryOut(decide(file(at('2026-03-02')), 'ACCEPT', at('2026-03-03')), { action: 'REVOKE', restrictionVersion: 2, by: 'court:110108' }, { now: at('2026-03-04') });
    const finallyRejected = decideHigher(reconsider(rejectedOn('2026-03-03'), at('2026-03-05')), 'REJECT', at('2026-03-06'));
    expect(file(at('2026-03-10'), { earlier: [carried, finallyRejected] }).status).toBe('FILED');
  });
});

describe('decideCorrection (List Rules Art. 12)', () => {
  it('accepts: to be carried out within 3 working days, counted over the Spring Festival and its adjusted Saturday', () => {
    // Fri 13 Feb 2026 → Sat 14 Feb (adjusted workday) 1, 15–23 Feb holiday, Tue 24 Feb 2, Wed 25 Feb 3.
    const accepted = decide(file(at('2026-02-12')), 'ACCEPT', at('2026-02-13'));
    expect(accepted).toMatchObject({ status: 'ACCEPTED', version: 2, decidedBy: 'court:110108', decisionReason: '经审查', carryOutDueAt: endOf('2026-02-25') });
    expect(accepted.reconsiderationDueBy).toBeUndefined();
    expect(pendingAct(accepted, at('2026-02-13'))).toEqual({ act: 'CARRY_OUT', party: 'ENFORCING_COURT', dueAt: endOf('2026-02-25') });
  });

  it('rejects: reconsideration may be sought until the end of the 10th day after service', () => {
    const rejected = rejectedOn('2026-03-02'); // Mon → Thu 12 Mar
    expect(rejected).toMatchObject({ status: 'REJECTED', reconsiderationDueBy: endOf('2026-03-12') });
    expect(rejected.carryOutDueAt).toBeUndefined();
    expect(pendingAct(rejected, at('2026-03-02'))).toEqual({ act: 'RECONSIDERATION_FILING', party: 'DEBTOR', dueAt: endOf('2026-03-12') });
  });

  it("extends the debtor's window past a weekend (Civil Code Art. 203)", () => {
    expect(rejectedOn('2026-03-04').reconsiderationDueBy).toBe(endOf('2026-03-16')); // 14 Mar is a Saturday
  });

  it("extends the debtor's window past the National Day holiday", () => {
    expect(rejectedOn('2026-09-21').reconsiderationDueBy).toBe(endOf('2026-10-08')); // 1 Oct → first working day 8 Oct
  });

  it('refuses a second decision and a blank reason', () => {
    const accepted = decide(file(at('2026-03-02')), 'ACCEPT', at('2026-03-03'));
    expect(domainErrorOf(() => decide(accepted, 'REJECT', at('2026-03-04'))).code).toBe('CORRECTION_INVALID_TRANSITION');
    expect(domainErrorOf(() => decideCorrection(file(at('2026-03-02')), { decision: 'ACCEPT', reason: ' ', by: 'c' }, { now: at('2026-03-03'), calendar }))).toMatchObject({
      code: 'FIELD_REQUIRED',
      field: 'reason',
    });
  });
});

describe('fileReconsideration (List Rules Art. 12)', () => {
  it('files with the next higher court, which decides within 15 days', () => {
    const filed = reconsider(rejectedOn('2026-03-02'), at('2026-03-10'));
    expect(filed).toMatchObject({
      status: 'RECONSIDERATION_FILED',
      version: 3,
      reconsiderationCourtCode: '110000',
      reconsiderationStatement: '原决定认定事实错误',
      reconsiderationFiledAt: at('2026-03-10').toISOString(),
      reconsiderationDueAt: endOf('2026-03-25'),
    });
    expect(pendingAct(filed, at('2026-03-10'))).toEqual({ act: 'RECONSIDERATION_DECISION', party: 'HIGHER_COURT', dueAt: endOf('2026-03-25') });
  });

  it('accepts a filing at the last millisecond of the window and refuses one a millisecond later', () => {
    const rejected = rejectedOn('2026-03-02');
    const last = new Date(endOf('2026-03-12'));
    expect(reconsider(rejected, last).status).toBe('RECONSIDERATION_FILED');
    expect(reconsiderationWindowOpen(rejected, last)).toBe(true);
    const late = new Date(last.getTime() + 1);
    expect(reconsiderationWindowOpen(rejected, late)).toBe(false);
    expect(domainErrorOf(() => reconsider(rejected, late)).code).toBe('RECONSIDERATION_WINDOW_CLOSED');
    expect(pendingAct(rejected, late)).toBeNull();
    expect(isOpen(rejected, late)).toBe(false);
  });

  it('refuses reconsideration of a request that was not rejected, and without a higher court', () => {
    expect(domainErrorOf(() => reconsider(file(at('2026-03-02')), at('2026-03-03'))).code).toBe('CORRECTION_INVALID_TRANSITION');
    expect(domainErrorOf(() => reconsider(decide(file(at('2026-03-02')), 'ACCEPT', at('2026-03-02')), at('2026-03-03'))).code).toBe('CORRECTION_INVALID_TRANSITION');
    expect(domainErrorOf(() => reconsider(rejectedOn('2026-03-02'), at('2026-03-03'), null)).code).toBe('NO_HIGHER_COURT');
  });
});

describe('decideReconsideration', () => {
  const filed = () => reconsider(rejectedOn('2026-03-02'), at('2026-03-04'));

  it('accepts: the enforcing court carries out within 3 working days of the decision', () => {
    const accepted = decideHigher(filed(), 'ACCEPT', at('2026-04-03')); // Fri; 4–6 Apr Qingming
    expect(accepted).toMatchObject({
      status: 'RECONSIDERATION_ACCEPTED',
      version: 4,
      reconsiderationDecision: 'ACCEPT',
      reconsiderationDecidedBy: 'court:110000',
      reconsiderationReason: '复议审查',
      carryOutDueAt: endOf('2026-04-09'),
    });
    expect(pendingAct(accepted, at('2026-04-03'))?.act).toBe('CARRY_OUT');
  });

  it('rejects: the request is closed', () => {
    const rejected = decideHigher(filed(), 'REJECT', at('2026-03-10'));
    expect(rejected).toMatchObject({ status: 'RECONSIDERATION_REJECTED', reconsiderationDecision: 'REJECT' });
    expect(rejected.carryOutDueAt).toBeUndefined();
    expect(pendingAct(rejected, at('2026-03-10'))).toBeNull();
    expect(domainErrorOf(() => decideHigher(rejected, 'ACCEPT', at('2026-03-11'))).code).toBe('CORRECTION_INVALID_TRANSITION');
  });
});

describe('carrying out', () => {
  const accepted = (ground: CorrectionGround) => decide(file(at('2026-03-02'), { ground }), 'ACCEPT', at('2026-03-03'));

  it('maps each ground to its act on the listing', () => {
    expect(CARRY_OUT_ACTION_FOR).toEqual({ SHOULD_NOT_BE_LISTED: 'REVOKE', INFORMATION_WRONG: 'AMEND', SHOULD_BE_DELETED: 'DELETE' });
    expect(planCarryOut(accepted('SHOULD_NOT_BE_LISTED'), { action: 'REVOKE' })).toEqual({ change: 'LIFT', liftReason: 'REVOKED' });
    expect(planCarryOut(accepted('INFORMATION_WRONG'), { action: 'AMEND', amend: { subject: { name: '张三' } } })).toEqual({ change: 'AMEND' });
    expect(planCarryOut(accepted('SHOULD_BE_DELETED'), { action: 'DELETE', liftReason: 'PERFORMED' })).toEqual({ change: 'LIFT', liftReason: 'PERFORMED' });
  });

  it('refuses an act that does not fit the ground', () => {
    expect(domainErrorOf(() => planCarryOut(accepted('SHOULD_NOT_BE_LISTED'), { action: 'DELETE', liftReason: 'PERFORMED' }))).toMatchObject({
      code: 'CARRY_OUT_ACTION_MISMATCH',
      field: 'action',
    });
  });

  it('needs the amendment or the deletion reason, and refuses what does not belong to the act', () => {
    expect(domainErrorOf(() => planCarryOut(accepted('INFORMATION_WRONG'), { action: 'AMEND' }))).toMatchObject({ code: 'FIELD_REQUIRED', field: 'amend' });
    expect(domainErrorOf(() => planCarryOut(accepted('INFORMATION_WRONG'), { action: 'AMEND', amend: {}, note: 'x' }))).toMatchObject({ code: 'FIELD_NOT_ALLOWED', field: 'note' });
    expect(domainErrorOf(() => planCarryOut(accepted('SHOULD_BE_DELETED'), { action: 'DELETE' }))).toMatchObject({ code: 'FIELD_REQUIRED', field: 'liftReason' });
    expect(domainErrorOf(() => planCarryOut(accepted('SHOULD_NOT_BE_LISTED'), { action: 'REVOKE', liftReason: 'PERFORMED' }))).toMatchObject({
      code: 'FIELD_NOT_ALLOWED',
      field: 'liftReason',
    });
    expect(domainErrorOf(() => planCarryOut(accepted('SHOULD_NOT_BE_LISTED'), { action: 'REVOKE', amend: {} }))).toMatchObject({ code: 'FIELD_NOT_ALLOWED', field: 'amend' });
  });

  it.each(['REVOKED', 'TERM_EXPIRED', 'SECURITY_PROVIDED'] as const)('refuses deletion reason %s', (liftReason) => {
    expect(domainErrorOf(() => planCarryOut(accepted('SHOULD_BE_DELETED'), { action: 'DELETE', liftReason }))).toMatchObject({
      code: 'LIFT_REASON_NOT_ALLOWED',
      field: 'liftReason',
    });
  });

  it('carries out only an accepted request, once', () => {
    expect(domainErrorOf(() => planCarryOut(file(at('2026-03-02')), { action: 'REVOKE' })).code).toBe('CORRECTION_INVALID_TRANSITION');
    expect(domainErrorOf(() => planCarryOut(rejectedOn('2026-03-02'), { action: 'REVOKE' })).code).toBe('CORRECTION_INVALID_TRANSITION');
    const done = completeCarryOut(accepted('SHOULD_NOT_BE_LISTED'), { action: 'REVOKE', restrictionVersion: 2, by: 'court:110108' }, { now: at('2026-03-04') });
    expect(done).toMatchObject({ status: 'CARRIED_OUT', version: 3, carryOutAction: 'REVOKE', carriedOutVersion: 2, carriedOutAt: at('2026-03-04').toISOString() });
    expect(pendingAct(done, at('2026-03-04'))).toBeNull();
    expect(domainErrorOf(() => planCarryOut(done, { action: 'REVOKE' })).code).toBe('CORRECTION_INVALID_TRANSITION');
  });

  it('carries out a request accepted on reconsideration', () => {
    const accepted = decideHigher(reconsider(rejectedOn('2026-03-02'), at('2026-03-04')), 'ACCEPT', at('2026-03-05'));
    expect(planCarryOut(accepted, { action: 'REVOKE' })).toEqual({ change: 'LIFT', liftReason: 'REVOKED' });
  });
});

describe('isOverdue', () => {
  it("flags a court's act past its due time, never the debtor's window", () => {
    const filed = file(at('2026-03-02'));
    expect(isOverdue(filed, new Date(endOf('2026-03-17')))).toBe(false);
    expect(isOverdue(filed, at('2026-03-18', '00:00'))).toBe(true);

    const accepted = decide(filed, 'ACCEPT', at('2026-03-03')); // carry out by Fri 6 Mar
    expect(isOverdue(accepted, new Date(endOf('2026-03-06')))).toBe(false);
    expect(isOverdue(accepted, at('2026-03-07'))).toBe(true);

    const rejected = rejectedOn('2026-03-02');
    expect(isOverdue(rejected, at('2026-04-01'))).toBe(false);

    const reconsidering = reconsider(rejected, at('2026-03-04'));
    expect(isOverdue(reconsidering, at('2026-03-20'))).toBe(true);
  });
});
