import { timingSafeEqual } from 'node:crypto';
import { uuidv7 } from '@cd/contracts';
import {
  CalendarNotCoveredError,
  WorkingDayCalendar,
  completeCarryOut,
  decideCorrection,
  decideReconsideration,
  fileCorrection,
  fileReconsideration,
  isOverdue,
  pendingAct,
  planCarryOut,
  reconsiderationWindowOpen,
  type CorrectionRequest,
  type CorrectionStatus,
  type PendingAct,
} from '@cd/domain';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit.log';
import { principalKey, type Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { IdempotencyStore } from '../common/idempotency.store';
import { IdentifierHasher } from '../common/identifier-hasher';
import { CourtsRepository } from '../courts/courts.repository';
import { OutboxRelay } from '../publishing/outbox.relay';
import { RestrictionsService, type RestrictionView } from '../restrictions/restrictions.service';
import { Clock } from './clock';
import type { CarryOutDto, DecisionDto, FileCorrectionDto, FileReconsiderationDto, ListCorrectionsQuery } from './corrections.dto';
import { CorrectionsRepository, type StoredCorrection, type TimelineEntry } from './corrections.repository';

export interface CorrectionView extends CorrectionRequest {
  /** The act the procedure waits for, by whom and by when; null once closed. */
  pendingAct: PendingAct | null;
  /** A court has not acted by its due time. */
  overdue: boolean;
  reconsiderationWindowOpen: boolean;
  timeline: TimelineEntry[];
}

export interface CorrectionPage {
  items: CorrectionView[];
  nextCursor: string | null;
}

export interface CorrectionMeta {
  principal: Principal;
  idempotencyKey?: string;
  requestId?: string;
}

/** Who may take a step on a request. */
type Party = 'DEBTOR' | 'ENFORCING_COURT' | 'HIGHER_COURT';

const AUDIT_ACTION: Record<CorrectionStatus, string> = {
  FILED: 'correction.file',
  ACCEPTED: 'correction.accept',
  REJECTED: 'correction.reject',
  RECONSIDERATION_FILED: 'correction.reconsideration.file',
  RECONSIDERATION_ACCEPTED: 'correction.reconsideration.accept',
  RECONSIDERATION_REJECTED: 'correction.reconsideration.reject',
  CARRIED_OUT: 'correction.carry-out',
};

const DEBTOR_LIST_LIMIT = 200;

@Injectable()
export class CorrectionsService {

  constructor(
    private readonly corrections: CorrectionsRepository,
    private readonly restrictions: RestrictionsService,
    private readonly courts: CourtsRepository,
    private readonly audit: AuditLog,
    private readonly idempotency: IdempotencyStore,
    private readonly hasher: IdentifierHasher,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
  ) {}

  // ── debtor ──────────────────────────────────────────────────────────────

  async file(dto: FileCorrectionDto, meta: CorrectionMeta): Promise<CorrectionView> {
    const debtorIdHash = this.debtorHash(meta.principal);
    return this.command(meta, ['correction.file', dto], async (manager, now) => {
      const restriction = await this.corrections.lockRestriction(manager, dto.restrictionId);
      if (!restriction) throw new AppError('RESTRICTION_NOT_FOUND', `Restriction ${dto.restrictionId} does not exist.`);
      if (!sameHash(restriction.subjectIdHash, debtorIdHash)) {
        throw new AppError('FORBIDDEN', 'Only the listed debtor may ask for correction of its listing.');
      }
      const filed = fileCorrection(dto, restriction, {
        now,
        calendar: this.calendar,
        newId: () => uuidv7(now.getTime()),
        earlierRequests: await this.corrections.notClosedFor(manager, restriction.id),
      });
      await this.record(manager, undefined, filed, debtorIdHash, meta, now, { ground: filed.ground, restrictionVersion: filed.restrictionVersion, decisionDueAt: filed.decisionDueAt });
      return filed;
    });
  }

  async mine(principal: Principal): Promise<CorrectionView[]> {
    return this.views(await this.corrections.forDebtor(this.debtorHash(principal), DEBTOR_LIST_LIMIT));
  }

  async mineOne(id: string, principal: Principal): Promise<CorrectionView> {
    const stored = await this.corrections.findById(id);
    this.authoriseDebtor(stored, principal, id);
    return (await this.views([stored!.request]))[0];
  }

  async fileReconsideration(id: string, dto: FileReconsiderationDto, expectedVersion: number | undefined, meta: CorrectionMeta): Promise<CorrectionView> {
    return this.transition(id, meta, ['correction.reconsideration', id, expectedVersion ?? null, dto], expectedVersion, 'DEBTOR', async (request, now) => {
      const enforcing = await this.courts.findByCode(request.enforcingCourtCode);
      const filed = fileReconsideration(request, dto, { now, calendar: this.calendar, higherCourtCode: enforcing?.parentCode });
      return [filed, { reconsiderationCourtCode: filed.reconsiderationCourtCode, reconsiderationDueAt: filed.reconsiderationDueAt }];
    });
  }

  // ── enforcing court ─────────────────────────────────────────────────────

  async decide(id: string, dto: DecisionDto, expectedVersion: number | undefined, meta: CorrectionMeta): Promise<CorrectionView> {
    await this.registeredCourt(meta.principal);
    return this.transition(id, meta, ['correction.decide', id, expectedVersion ?? null, dto], expectedVersion, 'ENFORCING_COURT', async (request, now) => {
      const decided = decideCorrection(request, { ...dto, by: actorOf(meta.principal) }, { now, calendar: this.calendar });
      return [
        decided,
        {
          decision: dto.decision,
          reason: decided.decisionReason,
          ...(decided.status === 'ACCEPTED' ? { carryOutDueAt: decided.carryOutDueAt } : { reconsiderationDueBy: decided.reconsiderationDueBy }),
        },
      ];
    });
  }

  /**
   * Changes the listing through RestrictionsService in this same transaction, so its
   * history, outbox event, delivery ledger and audit are written exactly as for a court command.
   */
  async carryOut(id: string, dto: CarryOutDto, expectedVersion: number | undefined, meta: CorrectionMeta): Promise<CorrectionView> {
    await this.registeredCourt(meta.principal);
    const result = await this.transition(
      id,
      meta,
      ['correction.carry-out', id, expectedVersion ?? null, dto],
      expectedVersion,
      'ENFORCING_COURT',
      async (request, now, manager) => {
        const plan = planCarryOut(request, dto);
        const joined = { principal: meta.principal, requestId: meta.requestId, manager };
        let changed: RestrictionView;
        if (plan.change === 'AMEND') {
          const current = await this.corrections.lockRestriction(manager, request.restrictionId);
          changed = await this.restrictions.amend(request.restrictionId, dto.amend!, current!.version, joined);
        } else {
          const lift = { reason: plan.liftReason, note: dto.note ?? `correction request ${request.id}`, includeLinked: dto.includeLinked };
          changed = await this.restrictions.lift(request.restrictionId, lift, undefined, joined);
        }
        const done = completeCarryOut(request, { action: dto.action, restrictionVersion: changed.version, by: actorOf(meta.principal) }, { now });
        return [done, { action: dto.action, restrictionVersion: changed.version, ...(plan.change === 'LIFT' ? { liftReason: plan.liftReason } : {}) }];
      },
    );
    this.relay.nudge();
    return result;
  }

  async search(query: ListCorrectionsQuery, principal: Principal, side: 'enforcing' | 'reconsidering'): Promise<CorrectionPage> {
    const limit = query.limit ? Number(query.limit) : 50;
    const court = principal.courtCode!;
    const found = await this.corrections.search({
      court: side === 'enforcing' ? { enforcing: court } : { reconsidering: court },
      status: query.status,
      overdue: query.overdue === undefined ? undefined : { at: this.clock.now(), is: query.overdue === 'true' },
      before: query.cursor,
      limit: limit + 1,
    });
    const page = found.slice(0, limit);
    return { items: await this.views(page), nextCursor: found.length > limit ? page[page.length - 1].id : null };
  }

  /** Visible to the enforcing court and, once reconsideration is sought, to the higher court. */
  async get(id: string, principal: Principal): Promise<CorrectionView> {
    const stored = await this.corrections.findById(id);
    if (!stored) throw notFound(id);
    const { enforcingCourtCode, reconsiderationCourtCode } = stored.request;
    if (principal.courtCode !== enforcingCourtCode && principal.courtCode !== reconsiderationCourtCode) {
      throw new AppError('FORBIDDEN', `Correction request ${id} concerns another court.`);
    }
    return (await this.views([stored.request]))[0];
  }

  // ── higher court ────────────────────────────────────────────────────────

  async decideReconsideration(id: string, dto: DecisionDto, expectedVersion: number | undefined, meta: CorrectionMeta): Promise<CorrectionView> {
    await this.registeredCourt(meta.principal);
    return this.transition(
      id,
      meta,
      ['correction.reconsideration-decision', id, expectedVersion ?? null, dto],
      expectedVersion,
      'HIGHER_COURT',
      async (request, now) => {
        const decided = decideReconsideration(request, { ...dto, by: actorOf(meta.principal) }, { now, calendar: this.calendar });
        return [decided, { decision: dto.decision, reason: decided.reconsiderationReason, ...(decided.carryOutDueAt ? { carryOutDueAt: decided.carryOutDueAt } : {}) }];
      },
    );
  }

  // ── one step on one request ─────────────────────────────────────────────

  /** Lock, authorise, check the version, apply the domain step, record it (row, timeline, audit) — one transaction. */
  private transition(
    id: string,
    meta: CorrectionMeta,
    fingerprint: unknown[],
    expectedVersion: number | undefined,
    party: Party,
    apply: (request: CorrectionRequest, now: Date, manager: EntityManager) => Promise<[CorrectionRequest, Record<string, unknown>]>,
  ): Promise<CorrectionView> {
    return this.command(meta, fingerprint, async (manager, now) => {
      const stored = await this.corrections.lock(manager, id);
      await this.authorise(stored, meta.principal, party, id);
      const before = stored!.request;
      if (expectedVersion !== undefined && expectedVersion !== before.version) {
        throw new AppError('STALE_VERSION', `Correction request ${id} is at version ${before.version}, not ${expectedVersion}.`, [
          { field: 'If-Match', rule: 'STALE_VERSION', message: `current version is ${before.version}` },
        ]);
      }
      const [after, details] = await apply(before, now, manager);
      await this.record(manager, before, after, stored!.debtorIdHash, meta, now, details);
      return after;
    });
  }

  /** Runs a write under the Idempotency-Key; the stored response is the view as of the commit. */
  private async command(
    meta: CorrectionMeta,
    fingerprint: unknown[],
    work: (manager: EntityManager, now: Date) => Promise<CorrectionRequest>,
  ): Promise<CorrectionView> {
    try {
      return await this.idempotency.execute({ principal: meta.principal, key: meta.idempotencyKey, fingerprint }, async (manager) => {
        const now = this.clock.now();
        const request = await work(manager, now);
        const timeline = (await this.corrections.timelines([request.id], manager)).get(request.id) ?? [];
        return view(request, now, timeline);
      });
    } catch (error) {
      if (error instanceof CalendarNotCoveredError) {
        throw new AppError('CALENDAR_NOT_COVERED', `${error.message}. The deadline cannot be computed; nothing was changed.`);
      }
      throw error;
    }
  }

  private async record(
    manager: EntityManager,
    before: CorrectionRequest | undefined,
    after: CorrectionRequest,
    debtorIdHash: Buffer,
    meta: CorrectionMeta,
    now: Date,
    details: Record<string, unknown>,
  ): Promise<void> {
    if (before) await this.corrections.update(manager, after, now);
    else await this.corrections.insert(manager, after, debtorIdHash, now);
    const late = before !== undefined && isOverdue(before, now);
    await this.corrections.appendEvent(manager, after.id, {
      seq: after.version,
      at: now.toISOString(),
      actor: actorOf(meta.principal),
      action: after.status,
      details: { ...details, ...(late ? { late: true } : {}) },
    });
    // Free text (statements, reasons) stays in the request and its timeline, not in the audit log.
    const { reason: _reason, ...auditDetails } = details;
    await this.audit.append(
      manager,
      [
        {
          actor: meta.principal,
          action: AUDIT_ACTION[after.status],
          resourceType: 'correction',
          resourceId: after.id,
          beforeVersion: before?.version,
          afterVersion: after.version,
          requestId: meta.requestId,
          details: { restrictionId: after.restrictionId, status: after.status, ...auditDetails, ...(late ? { late: true } : {}) },
        },
      ],
      now,
    );
  }

  private async authorise(stored: StoredCorrection | null, principal: Principal, party: Party, id: string): Promise<void> {
    if (party === 'DEBTOR') return this.authoriseDebtor(stored, principal, id);
    if (!stored) throw notFound(id);
    const { request } = stored;
    if (party === 'ENFORCING_COURT' && principal.courtCode !== request.enforcingCourtCode) {
      throw new AppError('FORBIDDEN', `Only the enforcing court (${request.enforcingCourtCode}) decides and carries out correction request ${id}.`);
    }
    if (party === 'HIGHER_COURT') {
      // List Rules Art. 12: the next higher court; fixed when reconsideration is sought.
      const higher = request.reconsiderationCourtCode ?? (await this.courts.findByCode(request.enforcingCourtCode))?.parentCode;
      if (!higher || principal.courtCode !== higher) {
        throw new AppError('FORBIDDEN', `Only the court above the enforcing court${higher ? ` (${higher})` : ''} decides the reconsideration of request ${id}.`);
      }
    }
  }

  private authoriseDebtor(stored: StoredCorrection | null, principal: Principal, id: string): void {
    if (!stored) throw notFound(id);
    if (!sameHash(stored.debtorIdHash, this.debtorHash(principal))) {
      throw new AppError('FORBIDDEN', `Correction request ${id} is not yours.`);
    }
  }

  private debtorHash(principal: Principal): Buffer {
    return this.hasher.hash(principal.identifier!);
  }

  private async registeredCourt(principal: Principal): Promise<void> {
    if (!(await this.courts.findByCode(principal.courtCode!))) {
      throw new AppError('COURT_NOT_REGISTERED', `Court ${principal.courtCode} is not registered with the service.`);
    }
  }

  private async views(requests: CorrectionRequest[]): Promise<CorrectionView[]> {
    const timelines = await this.corrections.timelines(requests.map((r) => r.id));
    const now = this.clock.now();
    return requests.map((request) => view(request, now, timelines.get(request.id) ?? []));
  }
}

function view(request: CorrectionRequest, now: Date, timeline: TimelineEntry[]): CorrectionView {
  return {
    ...request,
    pendingAct: pendingAct(request, now),
    overdue: isOverdue(request, now),
    reconsiderationWindowOpen: reconsiderationWindowOpen(request, now),
    timeline,
  };
}

/** Timeline actor: the court by its code; the debtor by role only (its token subject may carry its identifier). */
function actorOf(principal: Principal): string {
  return principal.role === 'debtor' ? 'debtor' : principalKey(principal);
}

function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function notFound(id: string): AppError {
  return new AppError('CORRECTION_NOT_FOUND', `Correction request ${id} does not exist.`);
}
