import { uuidv7, type RestrictionChange } from '@cd/contracts';
import {
  DomainError,
  amendRestriction,
  expireRestriction,
  grantPermission,
  imposeRestriction,
  isPublished,
  liftRestriction,
  type AmendCommand,
  type ImposeCommand,
  type RestrictionState,
} from '@cd/domain';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit.log';
import { ReadAuditLog } from '../audit/read-audit.log';
import { principalKey, type Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { IdempotencyStore } from '../common/idempotency.store';
import { CourtsRepository } from '../courts/courts.repository';
import { isDuplicateKey, TransactionRunner } from '../database/transaction-runner';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import { enforcementReport, type EnforcementReport } from '../deliveries/enforcement';
import { PartnerDirectory } from '../partners/partner-directory';
import { OutboxRelay } from '../publishing/outbox.relay';
import { OutboxWriter } from '../publishing/outbox.writer';
import type {
  AmendRestrictionDto,
  GrantPermissionDto,
  ImposeRestrictionDto,
  LiftRestrictionDto,
  SearchRestrictionsQuery,
} from './restrictions.dto';
import { RestrictionsRepository } from './restrictions.repository';

export interface RestrictionView extends RestrictionState {
  /** False during a grace period: not public and not yet distributed to partners. */
  published: boolean;
  linkedRestrictions: { id: string; kind: string; status: string }[];
}

export interface RestrictionPage {
  items: RestrictionView[];
  nextCursor: string | null;
}

export interface CommandMeta {
  principal: Principal;
  idempotencyKey?: string;
  requestId?: string;
  /**
   * Join the caller's transaction instead of opening one (a correction carried out commits
   * with its own rows); the caller then owns idempotency and the commit.
   */
  manager?: EntityManager;
}

/** One state a command produced; `before` is absent for a restriction it created. */
interface RecordedChange {
  before?: RestrictionState;
  after: RestrictionState;
  change: RestrictionChange;
}

const CHANGE_ACTION: Record<RestrictionChange, string> = {
  imposed: 'restriction.impose',
  amended: 'restriction.amend',
  lifted: 'restriction.lift',
};

@Injectable()
export class RestrictionsService {
  constructor(
    private readonly restrictions: RestrictionsRepository,
    private readonly courts: CourtsRepository,
    private readonly outbox: OutboxWriter,
    private readonly relay: OutboxRelay,
    private readonly audit: AuditLog,
    private readonly idempotency: IdempotencyStore,
    private readonly transactions: TransactionRunner,
    private readonly ledger: DeliveryLedger,
    private readonly directory: PartnerDirectory,
    private readonly readAudit: ReadAuditLog,
  ) {}

  async impose(dto: ImposeRestrictionDto, meta: CommandMeta): Promise<RestrictionView> {
    const courtCode = await this.registeredCourt(meta.principal);
    const result = await this.idempotency.execute(
      { principal: meta.principal, key: meta.idempotencyKey, fingerprint: ['impose', dto], onReplay: (stored: RestrictionView) => this.auditRead([stored], meta.principal, meta.requestId, 'replay') },
      async (manager) => {
        const now = new Date();
        const command: ImposeCommand = { ...dto, case: { ...dto.case, courtCode } };
        const priorListings =
          dto.kind === 'DISHONEST_LISTING' ? await this.restrictions.priorListings(manager, dto.subject.identifier.value, dto.case.caseNumber) : [];
        const created = imposeRestriction(command, { now, newId: () => uuidv7(now.getTime()), priorListings });
        await this.record(manager, created.map((after) => ({ after, change: 'imposed' as const })), meta, now);
        const [primary, ...linked] = created;
        return view(primary, now, linked);
      },
    ).catch(alreadyListedOnDuplicate);
    this.relay.nudge();
    return result;
  }

  async get(id: string, principal: Principal, requestId?: string): Promise<RestrictionView> {
    const state = await this.restrictions.findById(id);
    const owned = this.ownedBy(state, principal, id);
    const linked = owned.kind === 'DISHONEST_LISTING' ? await this.restrictions.linkedTo(id) : [];
    await this.auditRead([owned], principal, requestId, 'get');
    return view(owned, new Date(), linked);
  }

  /** Per-partner receipts for one restriction: imposed-confirmed and lift-confirmed, with times. */
  async enforcement(id: string, principal: Principal): Promise<EnforcementReport> {
    const state = await this.restrictions.findById(id);
    const visible = principal.role === 'supervisor' ? (state ?? this.ownedBy(null, principal, id)) : this.ownedBy(state, principal, id);
    const partners = new Map((await this.directory.all()).map((p) => [p.id, p]));
    return enforcementReport(visible, await this.ledger.forRestriction(id), partners);
  }

  async search(query: SearchRestrictionsQuery, principal: Principal, requestId?: string): Promise<RestrictionPage> {
    const limit = query.limit ? Math.min(Math.max(Number(query.limit), 1), 200) : 50;
    const states = await this.restrictions.search({
      courtCode: principal.courtCode!,
      kind: query.kind,
      status: query.status,
      idNumber: query.idNumber,
      caseNumber: query.caseNumber,
      before: query.cursor,
      limit: limit + 1,
    });
    const now = new Date();
    const page = states.slice(0, limit);
    await this.auditRead(page, principal, requestId, 'search');
    return {
      items: page.map((state) => view(state, now, [])),
      nextCursor: states.length > limit ? page[page.length - 1].id : null,
    };
  }

  async amend(id: string, dto: AmendRestrictionDto, expectedVersion: number, meta: CommandMeta): Promise<RestrictionView> {
    if (Object.keys(dto).length === 0) {
      throw new AppError('VALIDATION_FAILED', 'A correction must change at least one field.', [
        { field: '', rule: 'notEmpty', message: 'request body names no field to correct' },
      ]);
    }
    return this.change(id, meta, ['amend', id, expectedVersion, dto], expectedVersion, (state, now) => [
      amendRestriction(state, dto as AmendCommand, { now }),
    ]);
  }

  async lift(id: string, dto: LiftRestrictionDto, expectedVersion: number | undefined, meta: CommandMeta): Promise<RestrictionView> {
    const { includeLinked, ...command } = dto;
    return this.change(id, meta, ['lift', id, expectedVersion ?? null, dto], expectedVersion, async (state, now, manager) => {
      if (state.linkedListingId && (await this.restrictions.lockById(manager, state.linkedListingId))?.status === 'ACTIVE') {
        throw new DomainError(
          'LINKED_LISTING_ACTIVE',
          `The debtor is still listed (${state.linkedListingId}); lift the listing with includeLinked, or lift it first.`,
          'reason',
        );
      }
      const lifted = [liftRestriction(state, command, { now })];
      if (includeLinked && state.kind === 'DISHONEST_LISTING') {
        for (const linked of await this.restrictions.linkedTo(id, manager)) {
          if (linked.status !== 'ACTIVE') continue;
          const locked = await this.restrictions.lockById(manager, linked.id);
          if (locked) lifted.push(liftRestriction(locked, command, { now }));
        }
      }
      return lifted;
    });
  }

  async grantPermission(id: string, dto: GrantPermissionDto, expectedVersion: number | undefined, meta: CommandMeta): Promise<RestrictionView> {
    return this.change(id, meta, ['permit', id, expectedVersion ?? null, dto], expectedVersion, (state, now) => [
      grantPermission(state, dto, { now, newId: () => uuidv7(now.getTime()) }),
    ]);
  }

  /** Fixed-term expiry by the scheduler. Idempotent: a restriction already lifted is left alone. */
  async expire(id: string): Promise<boolean> {
    const expired = await this.transactions.run(async (manager) => {
      const state = await this.restrictions.lockById(manager, id);
      const now = new Date();
      if (!state || state.status !== 'ACTIVE' || !state.expiresAt || new Date(state.expiresAt) > now) return false;
      await this.record(manager, [{ before: state, after: expireRestriction(state, now), change: 'lifted' }], { principal: systemPrincipal }, now);
      return true;
    });
    if (expired) this.relay.nudge();
    return expired;
  }

  /**
   * One command on one restriction: lock, check scope and version, apply the domain
   * function, and record every resulting state (restriction, history, outbox, audit) in
   * the same transaction.
   */
  private async change(
    id: string,
    meta: CommandMeta,
    fingerprint: unknown[],
    expectedVersion: number | undefined,
    apply: (state: RestrictionState, now: Date, manager: EntityManager) => RestrictionState[] | Promise<RestrictionState[]>,
  ): Promise<RestrictionView> {
    await this.registeredCourt(meta.principal);
    const work = async (manager: EntityManager): Promise<RestrictionView> => {
      const now = new Date();
      const current = this.ownedBy(await this.restrictions.lockById(manager, id), meta.principal, id);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw new AppError('STALE_VERSION', `Restriction ${id} is at version ${current.version}, not ${expectedVersion}.`, [
          { field: 'If-Match', rule: 'STALE_VERSION', message: `current version is ${current.version}` },
        ]);
      }
      const changed = await apply(current, now, manager);
      const changes: RecordedChange[] = [];
      for (const after of changed) {
        const before = after.id === current.id ? current : (await this.restrictions.findById(after.id))!;
        changes.push({ before, after, change: after.status === 'LIFTED' ? 'lifted' : 'amended' });
      }
      await this.record(manager, changes, meta, now);
      return view(changed[0], now, changed.slice(1));
    };
    const result = meta.manager
      ? await work(meta.manager)
      : await this.idempotency.execute(
          { principal: meta.principal, key: meta.idempotencyKey, fingerprint, onReplay: (stored: RestrictionView) => this.auditRead([stored], meta.principal, meta.requestId, 'replay') },
          work,
        );
    this.relay.nudge();
    return result;
  }

  /**
   * Records the states one command produced — restrictions, history, outbox, ledger, audit — in the
   * command's transaction, one statement per table where the rows allow (a listing and its linked
   * restriction are written together): each statement is a round trip the request waits for.
   */
  private async record(
    manager: EntityManager,
    changes: RecordedChange[],
    meta: Pick<CommandMeta, 'principal' | 'requestId'> | { principal: 'system'; requestId?: string },
    now: Date,
  ): Promise<void> {
    const actor = meta.principal === 'system' ? 'system' : principalKey(meta.principal);
    const recorded = changes.map((c) => ({ ...c, eventId: uuidv7(now.getTime()) }));
    const created = recorded.filter((c) => !c.before);
    await this.restrictions.insert(manager, created.map(({ after, change, eventId }) => ({ state: after, history: { change, eventId, actor } })), now);
    for (const { before, after, change, eventId } of recorded) {
      if (!before) continue;
      const personsChanged = JSON.stringify(before.affectedPersons) !== JSON.stringify(after.affectedPersons);
      await this.restrictions.update(manager, after, { change, eventId, actor }, now, personsChanged);
    }
    await this.outbox.append(
      manager,
      recorded.map(({ before, after, change, eventId }) => ({ state: after, change, eventId, graceChanged: before !== undefined && before.publishAfter !== after.publishAfter })),
      now,
    );
    await this.ledger.obligeForChanges(manager, recorded.map(({ before, after }) => ({ state: after, created: !before })));
    await this.audit.append(
      manager,
      recorded.map(({ before, after, change, eventId }) => ({
        actor: meta.principal,
        action: CHANGE_ACTION[change],
        resourceType: 'restriction',
        resourceId: after.id,
        beforeVersion: before?.version,
        afterVersion: after.version,
        requestId: meta.requestId,
        details: { eventId, kind: after.kind, ...(after.liftReason ? { liftReason: after.liftReason } : {}) },
      })),
      now,
    );
  }

  /** The court sees full identifiers: one audit row per restriction shown (PIPL Art. 51), written before it is shown. */
  private auditRead(states: Pick<RestrictionState, 'id' | 'version'>[], principal: Principal, requestId: string | undefined, via: 'get' | 'search' | 'replay'): Promise<void> {
    return this.readAudit.record(
      states.map((state) => ({
        actor: principal,
        action: 'restriction.read',
        resourceType: 'restriction',
        resourceId: state.id,
        requestId,
        details: { version: state.version, via },
      })),
    );
  }

  private async registeredCourt(principal: Principal): Promise<string> {
    const code = principal.courtCode!;
    if (!(await this.courts.findByCode(code))) {
      throw new AppError('COURT_NOT_REGISTERED', `Court ${code} is not registered with the service.`);
    }
    return code;
  }

  private ownedBy(state: RestrictionState | null, principal: Principal, id: string): RestrictionState {
    if (!state) throw new AppError('RESTRICTION_NOT_FOUND', `Restriction ${id} does not exist.`);
    if (state.case.courtCode !== principal.courtCode) {
      throw new AppError('FORBIDDEN', `Restriction ${id} belongs to another court.`);
    }
    return state;
  }
}

const systemPrincipal = 'system' as const;

function view(state: RestrictionState, now: Date, linked: { id: string; kind: string; status: string }[]): RestrictionView {
  return {
    ...state,
    published: isPublished(state, now),
    linkedRestrictions: linked.map(({ id, kind, status }) => ({ id, kind, status })),
  };
}

function alreadyListedOnDuplicate(error: unknown): never {
  if (isDuplicateKey(error) && String((error as Error).message).includes('ux_restrictions_active_listing')) {
    throw new DomainError('ALREADY_LISTED', 'The subject is already listed in this case (by a concurrent request).', 'subject.identifier.value');
  }
  throw error;
}
