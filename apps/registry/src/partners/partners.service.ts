import { SECTOR_DEFAULT_KINDS } from '@cd/domain';
import { createPublicKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit.log';
import type { Principal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { isDuplicateKey, TransactionRunner } from '../database/transaction-runner';
import type { Partner } from './partner';
import { PartnerBackfill } from './partner-backfill';
import { PartnerDirectory } from './partner-directory';
import type { PartnerKeyDto, RegisterPartnerDto, UpdatePartnerDto } from './partners.dto';
import { PartnersRepository } from './partners.repository';

/** Admin side of the partner registry. Every change is audited in its own transaction. */
@Injectable()
export class PartnersService {
  constructor(
    private readonly partners: PartnersRepository,
    private readonly directory: PartnerDirectory,
    private readonly backfill: PartnerBackfill,
    private readonly audit: AuditLog,
    private readonly transactions: TransactionRunner,
  ) {}

  list(): Promise<Partner[]> {
    return this.partners.findAll();
  }

  async get(id: string): Promise<Partner> {
    return (await this.partners.findById(id)) ?? notFound(id);
  }

  async register(dto: RegisterPartnerDto, principal: Principal): Promise<Partner> {
    dto.publicKeys.forEach((key, i) => checkEd25519(key, `publicKeys[${i}].publicKeyPem`));
    if (new Set(dto.publicKeys.map((k) => k.keyId)).size !== dto.publicKeys.length) {
      throw new AppError('VALIDATION_FAILED', 'Key ids must be unique.', [{ field: 'publicKeys', rule: 'uniqueKeyId', message: 'duplicate keyId' }]);
    }
    const now = new Date().toISOString();
    const partner: Partner = {
      id: dto.id,
      name: dto.name,
      sector: dto.sector,
      kinds: dto.kinds ?? [...SECTOR_DEFAULT_KINDS[dto.sector]],
      receiptDeadline: { value: dto.receiptDeadline.value, unit: dto.receiptDeadline.unit },
      active: true,
      keys: dto.publicKeys.map((k) => ({ keyId: k.keyId, publicKeyPem: k.publicKeyPem, createdAt: now })),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.transactions.run(async (manager) => {
        await this.partners.insert(manager, partner);
        await this.audited(manager, principal, 'partner.register', partner.id, { sector: partner.sector, kinds: partner.kinds });
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('PARTNER_EXISTS', `Partner ${dto.id} is already registered.`, [{ field: 'id', rule: 'unique', message: 'already registered' }]);
      throw error;
    }
    this.changed();
    return partner;
  }

  async update(id: string, dto: UpdatePartnerDto, principal: Principal): Promise<Partner> {
    if (!dto || Object.keys(dto).length === 0) {
      throw new AppError('VALIDATION_FAILED', 'A change must name at least one field.', [{ field: '', rule: 'notEmpty', message: 'request body names no field to change' }]);
    }
    const updated = await this.transactions.run(async (manager) => {
      const current = (await this.partners.findById(id, manager, true)) ?? notFound(id);
      const next: Partner = {
        ...current,
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.kinds !== undefined ? { kinds: dto.kinds } : {}),
        ...(dto.receiptDeadline !== undefined ? { receiptDeadline: { value: dto.receiptDeadline.value, unit: dto.receiptDeadline.unit } } : {}),
        ...(dto.active !== undefined ? { active: dto.active } : {}),
        updatedAt: new Date().toISOString(),
      };
      // Newly obliged (kinds added, or reactivated): becomes obliged for the active restrictions of its kinds.
      const rebackfill = next.active && (!current.active || next.kinds.some((kind) => !current.kinds.includes(kind)));
      await this.partners.update(manager, next, rebackfill);
      const action = dto.active === false && current.active ? 'partner.deactivate' : 'partner.update';
      await this.audited(manager, principal, action, id, { changes: dto });
      return next;
    });
    this.changed();
    return updated;
  }

  async addKey(id: string, dto: PartnerKeyDto, principal: Principal): Promise<Partner> {
    checkEd25519(dto, 'publicKeyPem');
    try {
      await this.transactions.run(async (manager) => {
        if (!(await this.partners.findById(id, manager, true))) notFound(id);
        await this.partners.insertKey(manager, id, { keyId: dto.keyId, publicKeyPem: dto.publicKeyPem, createdAt: new Date().toISOString() });
        await this.audited(manager, principal, 'partner.key.add', id, { keyId: dto.keyId });
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('PARTNER_KEY_EXISTS', `Key ${dto.keyId} already exists for ${id}.`, [{ field: 'keyId', rule: 'unique', message: 'key id already used' }]);
      throw error;
    }
    this.changed();
    return this.get(id);
  }

  async revokeKey(id: string, keyId: string, principal: Principal): Promise<Partner> {
    await this.transactions.run(async (manager) => {
      if (!(await this.partners.findById(id, manager, true))) notFound(id);
      if (!(await this.partners.revokeKey(manager, id, keyId, new Date()))) {
        throw new AppError('PARTNER_KEY_NOT_FOUND', `Partner ${id} has no active key ${keyId}.`);
      }
      await this.audited(manager, principal, 'partner.key.revoke', id, { keyId });
    });
    this.changed();
    return this.get(id);
  }

  private changed(): void {
    this.directory.invalidate();
    this.backfill.nudge();
  }

  private audited(manager: EntityManager, principal: Principal, action: string, partnerId: string, details: Record<string, unknown>): Promise<void> {
    return this.audit.append(manager, [{ actor: principal, action, resourceType: 'partner', resourceId: partnerId, details }]);
  }
}

function notFound(id: string): never {
  throw new AppError('PARTNER_NOT_FOUND', `Partner ${id} is not registered.`);
}

function checkEd25519(key: { publicKeyPem: string }, field: string): void {
  try {
    if (createPublicKey(key.publicKeyPem).asymmetricKeyType === 'ed25519') return;
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'The public key must be an Ed25519 key in SPKI PEM form.', [{ field, rule: 'ed25519', message: 'not an Ed25519 public key' }]);
}
