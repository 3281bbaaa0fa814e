import { createHash } from 'node:crypto';
import type { PriorListing, RestrictionKind, RestrictionState, RestrictionStatus } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentifierHasher } from '../common/identifier-hasher';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { RestrictionHistoryRecord, RestrictionPersonRecord, RestrictionRecord } from './restriction.records';

export interface RestrictionSearch {
  courtCode: string;
  kind?: RestrictionKind;
  status?: RestrictionStatus;
  idNumber?: string;
  caseNumber?: string;
  /** Keyset pagination: ids are UUIDv7, so descending id = newest first. */
  before?: string;
  limit: number;
}

/** A restrictions row as read: the state is decrypted with the id and version it is bound to. */
interface StateRow {
  id: string;
  version: number;
  state: string;
}

export interface HistoryEntry {
  change: string;
  eventId: string;
  actor: string;
}

@Injectable()
export class RestrictionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: IdentifierHasher,
    private readonly cipher: FieldCipher,
  ) {}

  async findById(id: string): Promise<RestrictionState | null> {
    const rows: StateRow[] = await this.dataSource.query('SELECT id, version, state FROM restrictions WHERE id = ?', [id]);
    return rows.length ? this.parse(rows[0]) : null;
  }

  /** Loads the aggregate and holds its row lock until the transaction ends: commands on one restriction serialise here. */
  async lockById(manager: EntityManager, id: string): Promise<RestrictionState | null> {
    const rows: StateRow[] = await manager.query('SELECT id, version, state FROM restrictions WHERE id = ? FOR UPDATE', [id]);
    return rows.length ? this.parse(rows[0]) : null;
  }

  async linkedTo(listingId: string, manager?: EntityManager): Promise<{ id: string; kind: string; status: string }[]> {
    return (manager ?? this.dataSource).query('SELECT id, kind, status FROM restrictions WHERE linked_listing_id = ? ORDER BY id', [listingId]);
  }

  async priorListings(manager: EntityManager, identifierValue: string, caseNumber: string): Promise<PriorListing[]> {
    const rows: { status: 'ACTIVE' | 'LIFTED'; case_number: string; lift_reason: string | null; lifted_at: Date | null }[] = await manager.query(
      `SELECT status, case_number, lift_reason, lifted_at FROM restrictions
        WHERE subject_id_hash = ? AND kind = 'DISHONEST_LISTING' AND case_number = ?`,
      [this.hasher.hash(identifierValue), caseNumber],
    );
    return rows.map((row) => ({
      status: row.status,
      caseNumber: row.case_number,
      ...(row.lift_reason ? { liftReason: row.lift_reason as PriorListing['liftReason'] } : {}),
      ...(row.lifted_at ? { liftedAt: row.lifted_at.toISOString() } : {}),
    }));
  }

  /** New restrictions (a listing and its linked restriction come together): one multi-row INSERT per table. */
  async insert(manager: EntityManager, created: { state: RestrictionState; history: HistoryEntry }[], now: Date): Promise<void> {
    if (created.length === 0) return;
    await manager.insert(
      RestrictionRecord,
      created.map(({ state }) => ({ ...this.toRecord(state, now), createdAt: now })),
    );
    await this.writePersons(manager, created.map(({ state }) => state));
    await this.appendHistory(manager, created, now);
  }

  /** Saves a new version; the row lock from lockById guarantees `version - 1` is what is stored. */
  async update(manager: EntityManager, state: RestrictionState, history: HistoryEntry, now: Date, personsChanged: boolean): Promise<void> {
    const result = await manager.update(RestrictionRecord, { id: state.id, version: state.version - 1 }, this.toRecord(state, now));
    if (result.affected !== 1) throw new Error(`restriction ${state.id} is not at version ${state.version - 1}`);
    if (personsChanged) {
      await manager.delete(RestrictionPersonRecord, { restrictionId: state.id });
      await this.writePersons(manager, [state]);
    }
    await this.appendHistory(manager, [{ state, history }], now);
  }

  async search(query: RestrictionSearch): Promise<RestrictionState[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      where.push(condition);
      params.push(value);
    };
    add('court_code = ?', query.courtCode);
    if (query.kind) add('kind = ?', query.kind);
    if (query.status) add('status = ?', query.status);
    if (query.idNumber) add('subject_id_hash = ?', this.hasher.hash(query.idNumber));
    if (query.caseNumber) add('case_number = ?', query.caseNumber);
    if (query.before) add('id < ?', query.before);
    params.push(query.limit);
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT id, version, state FROM restrictions WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      params,
    );
    return rows.map((row) => this.parse(row));
  }

  /** Restrictions whose fixed term has run out (List Rules Art. 2; exit bans with an end date). */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM restrictions WHERE status = 'ACTIVE' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      [now, limit],
    );
    return rows.map((row) => row.id);
  }

  private toRecord(state: RestrictionState, now: Date): Omit<RestrictionRecord, 'createdAt'> {
    const subjectIdHash = this.hasher.hash(state.subject.identifier.value);
    return {
      id: state.id,
      kind: state.kind,
      version: state.version,
      status: state.status,
      courtCode: state.case.courtCode,
      caseNumber: state.case.caseNumber,
      subjectType: state.subject.type,
      subjectName: state.subject.name,
      subjectIdType: state.subject.identifier.type,
      subjectIdHash,
      ground: state.ground ?? null,
      linkedListingId: state.linkedListingId ?? null,
      decidedAt: new Date(state.decidedAt),
      effectiveAt: new Date(state.effectiveAt),
      publishAfter: state.publishAfter ? new Date(state.publishAfter) : null,
      expiresAt: state.expiresAt ? new Date(state.expiresAt) : null,
      liftedAt: state.liftedAt ? new Date(state.liftedAt) : null,
      liftReason: state.liftReason ?? null,
      activeListingKey:
        state.kind === 'DISHONEST_LISTING' && state.status === 'ACTIVE'
          ? createHash('sha256').update(subjectIdHash).update(state.case.caseNumber).digest()
          : null,
      state: this.cipher.encrypt(JSON.stringify(state), contextOf.restrictionState(state.id, state.version)),
      updatedAt: now,
    };
  }

  private async writePersons(manager: EntityManager, states: RestrictionState[]): Promise<void> {
    const rows = states.flatMap((state) =>
      state.affectedPersons.map((person, seq) => ({
        restrictionId: state.id,
        seq,
        role: person.role,
        name: person.name,
        idType: person.identifier.type,
        idHash: this.hasher.hash(person.identifier.value),
      })),
    );
    if (rows.length > 0) await manager.insert(RestrictionPersonRecord, rows);
  }

  private async appendHistory(manager: EntityManager, entries: { state: RestrictionState; history: HistoryEntry }[], now: Date): Promise<void> {
    await manager.insert(
      RestrictionHistoryRecord,
      entries.map(({ state, history }) => ({
        restrictionId: state.id,
        version: state.version,
        changeType: history.change,
        eventId: history.eventId,
        actor: history.actor,
        state: this.cipher.encrypt(JSON.stringify(state), contextOf.restrictionHistoryState(state.id, state.version)),
        recordedAt: now,
      })),
    );
  }

  private parse(row: StateRow): RestrictionState {
    return JSON.parse(this.cipher.decrypt(row.state, contextOf.restrictionState(row.id, Number(row.version)))) as RestrictionState;
  }
}
