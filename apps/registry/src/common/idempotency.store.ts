import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { principalKey, type Principal } from '../auth/principal';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { isDuplicateKey, TransactionRunner } from '../database/transaction-runner';
import { AppError } from './app-error';
import { IdempotencyRecord } from './idempotency.record';
import { canonicalJson } from '@cd/contracts';
import { createHash } from 'node:crypto';

export interface IdempotentRequest<T> {
  principal: Principal;
  key?: string;
  /** Operation and body; a replay with the same key must carry the same fingerprint. */
  fingerprint: unknown;
  /** Runs before a stored response is returned again, e.g. to audit the identifiers it shows. */
  onReplay?: (stored: T) => Promise<void>;
}

// The key row is inserted first inside the command's own transaction: a
// concurrent request with the same key blocks on the primary key until the
// first commits, then finds the stored response. Exactly one write happens.
// The stored response is what the caller saw (a restriction with full identifiers): encrypted.
@Injectable()
export class IdempotencyStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly cipher: FieldCipher,
  ) {}

  async execute<T>(request: IdempotentRequest<T>, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!request.key) return this.transactions.run(work);
    const key = validKey(request.key);
    const principal = principalKey(request.principal);
    const requestHash = createHash('sha256').update(canonicalJson(request.fingerprint)).digest('hex');

    // No read first: a replay fails on the key row's INSERT at once (a concurrent twin after the
    // first commits) and is answered from the stored row; a first request pays no extra round trip.
    try {
      return await this.transactions.run(async (manager) => {
        await manager.insert(IdempotencyRecord, { principal, idemKey: key, requestHash, statusCode: 0, response: '', createdAt: new Date() });
        const result = await work(manager);
        await manager.update(IdempotencyRecord, { principal, idemKey: key }, {
          statusCode: 200,
          response: this.cipher.encrypt(JSON.stringify(result), contextOf.idempotencyResponse(principal, key)),
        });
        return result;
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const replayed = await this.replay<T>(principal, key, requestHash);
      if (replayed === undefined) throw error;
      await request.onReplay?.(replayed);
      return replayed;
    }
  }

  private async replay<T>(principal: string, key: string, requestHash: string): Promise<T | undefined> {
    const row = await this.dataSource.getRepository(IdempotencyRecord).findOneBy({ principal, idemKey: key });
    if (!row) return undefined;
    if (row.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.', [
        { field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_REUSED', message: 'key reused with a different request body' },
      ]);
    }
    return JSON.parse(this.cipher.decrypt(row.response, contextOf.idempotencyResponse(row.principal, row.idemKey))) as T;
  }
}

function validKey(key: string): string {
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1–200 visible ASCII characters.', [
      { field: 'Idempotency-Key', rule: 'format', message: 'must be 1–200 visible ASCII characters' },
    ]);
  }
  return key;
}
