import type { DeadlineUnit, PartnerSector, RestrictionKind } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Partner } from './partner';

interface PartnerRow {
  id: string;
  name: string;
  sector: PartnerSector;
  kinds: string;
  deadline_value: number;
  deadline_unit: DeadlineUnit;
  active: number;
  created_at: Date;
  updated_at: Date;
}

interface KeyRow {
  partner_id: string;
  key_id: string;
  public_key_pem: string;
  created_at: Date;
  revoked_at: Date | null;
}

@Injectable()
export class PartnersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findAll(manager: EntityManager | DataSource = this.dataSource): Promise<Partner[]> {
    const [partners, keys]: [PartnerRow[], KeyRow[]] = await Promise.all([
      manager.query('SELECT * FROM partners ORDER BY id'),
      manager.query('SELECT * FROM partner_keys ORDER BY partner_id, created_at'),
    ]);
    return partners.map((row) => toPartner(row, keys.filter((k) => k.partner_id === row.id)));
  }

  async findById(id: string, manager: EntityManager | DataSource = this.dataSource, lock = false): Promise<Partner | null> {
    const rows: PartnerRow[] = await manager.query(`SELECT * FROM partners WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (rows.length === 0) return null;
    const keys: KeyRow[] = await manager.query('SELECT * FROM partner_keys WHERE partner_id = ? ORDER BY created_at', [id]);
    return toPartner(rows[0], keys);
  }

  async insert(manager: EntityManager, partner: Partner): Promise<void> {
    await manager.query(
      `INSERT INTO partners (id, name, sector, kinds, deadline_value, deadline_unit, active, backfill_pending, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      [partner.id, partner.name, partner.sector, partner.kinds.join(','), partner.receiptDeadline.value, partner.receiptDeadline.unit, partner.active ? 1 : 0, new Date(partner.createdAt), new Date(partner.updatedAt)],
    );
    for (const key of partner.keys) await this.insertKey(manager, partner.id, key);
  }

  /** Saves the partner's settings; `rebackfill` restarts the ledger back-fill (kinds added or reactivated). */
  async update(manager: EntityManager, partner: Partner, rebackfill: boolean): Promise<void> {
    await manager.query(
      `UPDATE partners SET name = ?, sector = ?, kinds = ?, deadline_value = ?, deadline_unit = ?, active = ?, updated_at = ?
         ${rebackfill ? ', backfill_pending = 1, backfill_cursor = NULL' : ''}
       WHERE id = ?`,
      [partner.name, partner.sector, partner.kinds.join(','), partner.receiptDeadline.value, partner.receiptDeadline.unit, partner.active ? 1 : 0, new Date(partner.updatedAt), partner.id],
    );
  }

  async insertKey(manager: EntityManager, partnerId: string, key: { keyId: string; publicKeyPem: string; createdAt: string }): Promise<void> {
    await manager.query('INSERT INTO partner_keys (partner_id, key_id, public_key_pem, created_at) VALUES (?, ?, ?, ?)', [
      partnerId,
      key.keyId,
      key.publicKeyPem,
      new Date(key.createdAt),
    ]);
  }

  async revokeKey(manager: EntityManager, partnerId: string, keyId: string, at: Date): Promise<boolean> {
    const result: { affectedRows: number } = await manager.query(
      'UPDATE partner_keys SET revoked_at = ? WHERE partner_id = ? AND key_id = ? AND revoked_at IS NULL',
      [at, partnerId, keyId],
    );
    return result.affectedRows === 1;
  }

  /** Partners whose ledger back-fill has not finished, with where it stopped. */
  async pendingBackfills(): Promise<{ id: string; kinds: RestrictionKind[]; cursor: string | null }[]> {
    const rows: { id: string; kinds: string; backfill_cursor: string | null }[] = await this.dataSource.query(
      'SELECT id, kinds, backfill_cursor FROM partners WHERE backfill_pending = 1 AND active = 1',
    );
    return rows.map((row) => ({ id: row.id, kinds: row.kinds.split(',') as RestrictionKind[], cursor: row.backfill_cursor }));
  }

  async saveBackfillProgress(manager: EntityManager, partnerId: string, cursor: string | null): Promise<void> {
    await manager.query('UPDATE partners SET backfill_cursor = ?, backfill_pending = ? WHERE id = ?', [cursor, cursor === null ? 0 : 1, partnerId]);
  }
}

function toPartner(row: PartnerRow, keys: KeyRow[]): Partner {
  return {
    id: row.id,
    name: row.name,
    sector: row.sector,
    kinds: row.kinds.split(',').filter(Boolean) as RestrictionKind[],
    receiptDeadline: { value: row.deadline_value, unit: row.deadline_unit },
    active: row.active === 1,
    keys: keys.map((k) => ({
      keyId: k.key_id,
      publicKeyPem: k.public_key_pem,
      createdAt: k.created_at.toISOString(),
      ...(k.revoked_at ? { revokedAt: k.revoked_at.toISOString() } : {}),
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
