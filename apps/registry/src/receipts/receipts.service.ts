import { publicKeyOf, rejectedReceiptsTopic, signatureJob, validateReceipt, type Receipt, type ReceiptRejection, type RejectionReason, type SignatureJob } from '@cd/contracts';
import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { Batcher } from '../common/batcher';
import { TransactionRunner } from '../database/transaction-runner';
import { derivedRows, param } from '../database/derived-rows';
import { AppError } from '../common/app-error';
import { fieldErrors } from '../common/validation';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { PartnerDirectory } from '../partners/partner-directory';
import { MessageBus } from '../publishing/message-bus';
import { ReceiptVerifier } from './receipt-verifier';
import { ReceiptDto } from './receipts.dto';

export type ReceiptResult = { status: 'ACCEPTED' | 'DUPLICATE' } | { status: 'REJECTED'; reason: RejectionReason; detail: string };

class Rejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** A receipt that passed the checks that need no database: shape, partner, key, signature. */
interface Signed {
  index: number;
  receipt: Receipt;
  channel: 'rest' | 'kafka';
  /** A deactivated partner may still confirm the deliveries it owes, nothing else. */
  partnerActive: boolean;
}

interface OutboxVersion {
  restriction_id: string;
  version: number;
  event_id: string;
  released: number;
  published_at: Date | null;
}

/**
 * A receipt's time must lie in [2000-01-01, now + 1 day]: earlier is no time this service existed, later is a wrong
 * clock, and beyond the DATETIME column's years (9999-12-31T23:59:59-05:00 is year 10000) INSERT IGNORE would
 * store 0000-00-00.
 */
const EARLIEST_RECEIPT_TIME = Date.parse('2000-01-01T00:00:00Z');
const MAX_RECEIPT_TIME_AHEAD_MS = 86_400_000;

/** Receipts taken in at once: the REST requests waiting together, or one Kafka batch of a partition. */
const MAX_BATCH = 500;

/**
 * Receipt intake (guarantee 5): accepted only if well-formed, signed with one of the
 * partner's registered keys, for a restriction routed to that partner, and for a version
 * and event actually published to it. Anything else goes to the rejected-receipts topic
 * and never touches the ledger. A repeated receipt is recorded once.
 *
 * Receipts are taken in batches — a Kafka batch, or the REST requests that arrive while the
 * previous batch is being written — so the database sees a few statements per batch instead
 * of six round trips per receipt. Within a batch, receipts for the same delivery are applied
 * in arrival order.
 */
@Injectable()
export class ReceiptsService {
  private readonly logger = new Logger(ReceiptsService.name);
  private readonly parsedKeys = new Map<string, KeyObject>();
  private readonly restIntake = new Batcher<unknown, ReceiptResult>((bodies) => this.processBatch(bodies.map((body) => ({ body, channel: 'rest' as const }))), MAX_BATCH);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly directory: PartnerDirectory,
    private readonly bus: MessageBus,
    private readonly metrics: Metrics,
    private readonly transactions: TransactionRunner,
    private readonly verifier: ReceiptVerifier,
  ) {}

  /** REST: the caller must be the partner named in the receipt. */
  async submit(body: unknown, callerPartnerId: string): Promise<{ status: 'ACCEPTED' | 'DUPLICATE' }> {
    const claimed = (body as { partnerId?: unknown })?.partnerId;
    if (typeof claimed === 'string' && claimed !== callerPartnerId) {
      throw new AppError('FORBIDDEN', 'A partner may only submit its own receipts.', [{ field: 'partnerId', rule: 'ownPartner', message: 'not the calling partner' }]);
    }
    const result = await this.restIntake.add(body);
    if (result.status === 'REJECTED') {
      throw new AppError('RECEIPT_REJECTED', result.detail, [], { reason: result.reason });
    }
    return result;
  }

  /** Kafka: raw message values, in partition order. Never throws for bad input — only for infrastructure failures. */
  async consume(raws: (string | null)[]): Promise<ReceiptResult[]> {
    const results: ReceiptResult[] = [];
    for (let i = 0; i < raws.length; i += MAX_BATCH) {
      const items = raws.slice(i, i + MAX_BATCH).map((raw) => {
        try {
          return { body: JSON.parse(raw ?? '') as unknown, channel: 'kafka' as const };
        } catch {
          return { raw, channel: 'kafka' as const };
        }
      });
      results.push(...(await this.processBatch(items)));
    }
    return results;
  }

  /** REST: a partner's body that never reached intake (not JSON, or refused by the request pipe); answered 400 by the caller. */
  async rejectUnreadable(partnerId: string, received: unknown, detail: string): Promise<void> {
    await this.publishRejections([{ partnerId, received, rejected: new Rejected('MALFORMED', detail) }]);
  }

  private async processBatch(items: ({ body: unknown; channel: 'rest' | 'kafka' } | { raw: string | null; channel: 'kafka' })[]): Promise<ReceiptResult[]> {
    const results: ReceiptResult[] = new Array(items.length);
    const rejections: { index: number; partnerId: string | null; received: unknown; rejected: Rejected }[] = [];
    const reject = (index: number, received: unknown, rejected: Rejected) => {
      const partnerId = typeof (received as { partnerId?: unknown })?.partnerId === 'string' ? (received as { partnerId: string }).partnerId : null;
      rejections.push({ index, partnerId, received, rejected });
    };
    const checkable: (Signed & { job: SignatureJob })[] = [];
    for (const [index, item] of items.entries()) {
      if (!('body' in item)) {
        rejections.push({ index, partnerId: null, received: item.raw, rejected: new Rejected('MALFORMED', 'the message is not JSON') });
        continue;
      }
      try {
        checkable.push({ index, ...(await this.checkKeyed(item.body)), channel: item.channel });
      } catch (error) {
        if (!(error instanceof Rejected)) throw error;
        reject(index, item.body, error);
      }
    }
    // The whole batch's signatures at once, off the event loop.
    const valid = await this.verifier.verify(checkable.map((c) => c.job));
    const signed: Signed[] = [];
    checkable.forEach(({ index, receipt, channel, partnerActive }, i) => {
      if (valid[i]) signed.push({ index, receipt, channel, partnerActive });
      else reject(index, receipt, new Rejected('BAD_SIGNATURE', 'the signature does not verify with the named key'));
    });
    const published = await this.checkPublished(signed);
    for (const { index, receipt, rejected } of published.rejected) reject(index, receipt, rejected);
    const statuses = await this.record(published.accepted);
    for (const [i, { index, receipt }] of published.accepted.entries()) {
      results[index] = { status: statuses[i] };
      this.metrics.receipts.inc({ outcome: receipt.outcome, result: statuses[i] });
    }
    await this.publishRejections(rejections);
    for (const { index, rejected } of rejections) results[index] = { status: 'REJECTED', reason: rejected.reason, detail: rejected.message };
    return results;
  }

  /** Well-formed, from a registered partner, naming one of its keys (no database): the receipt and the signature check still to make. */
  private async checkKeyed(body: unknown): Promise<{ receipt: Receipt; job: SignatureJob; partnerActive: boolean }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Rejected('MALFORMED', 'a receipt must be a JSON object');
    // The published schema is the contract; the DTO states the same rules for the OpenAPI document.
    const shape = validateReceipt(body);
    if (!shape.valid) throw new Rejected('MALFORMED', shape.errors.join('; '));
    const dto = plainToInstance(ReceiptDto, body);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      throw new Rejected('MALFORMED', fieldErrors(errors).map((e) => `${e.field}: ${e.rule}`).join('; '));
    }
    const receipt = body as Receipt;
    const time = Date.parse(receipt.time);
    if (!(time >= EARLIEST_RECEIPT_TIME && time <= Date.now() + MAX_RECEIPT_TIME_AHEAD_MS)) {
      throw new Rejected('MALFORMED', '/time must be between 2000-01-01T00:00:00Z and one day ahead of the registry clock');
    }
    const partner = await this.directory.get(receipt.partnerId);
    if (!partner) throw new Rejected('UNKNOWN_PARTNER', `partner ${receipt.partnerId} is not registered`);
    const key = await this.directory.publicKey(receipt.partnerId, receipt.keyId);
    if (!key) throw new Rejected('UNKNOWN_KEY', `partner ${receipt.partnerId} has no active key ${receipt.keyId}`);
    const job = signatureJob(receipt, this.publicKeyObject(key));
    if (!job) throw new Rejected('BAD_SIGNATURE', 'the signature does not verify with the named key');
    return { receipt, job, partnerActive: partner.active };
  }

  /**
   * "Published to it": the partner owes this version and the version was released to the
   * topic. The broker may have delivered it (and the partner answered) a moment before the
   * relay recorded the acknowledgement, so the outbox row's release — not the relay's
   * bookkeeping — decides; the event id must match, and a held event's id is known to no one.
   * Two queries for the whole batch.
   */
  private async checkPublished(signed: Signed[]): Promise<{ accepted: (Signed & { publishedAt: Date | null })[]; rejected: (Signed & { rejected: Rejected })[] }> {
    const accepted: (Signed & { publishedAt: Date | null })[] = [];
    const rejected: (Signed & { rejected: Rejected })[] = [];
    if (signed.length === 0) return { accepted, rejected };
    const restrictionIds = [...new Set(signed.map((s) => s.receipt.restrictionId))];
    const partnerIds = [...new Set(signed.map((s) => s.receipt.partnerId))];
    const deliveries: { restriction_id: string; partner_id: string; required_version: number }[] = await this.dataSource.query(
      'SELECT restriction_id, partner_id, required_version FROM deliveries WHERE restriction_id IN (?) AND partner_id IN (?)',
      [restrictionIds, partnerIds],
    );
    const versions: OutboxVersion[] = await this.dataSource.query(
      'SELECT restriction_id, version, event_id, available_at <= UTC_TIMESTAMP(3) AS released, published_at FROM outbox WHERE restriction_id IN (?)',
      [restrictionIds],
    );
    const required = new Map(deliveries.map((d) => [`${d.restriction_id} ${d.partner_id}`, Number(d.required_version)]));
    const outbox = new Map(versions.map((v) => [`${v.restriction_id} ${Number(v.version)}`, v]));
    for (const item of signed) {
      const { receipt } = item;
      const requiredVersion = required.get(`${receipt.restrictionId} ${receipt.partnerId}`);
      const event = outbox.get(`${receipt.restrictionId} ${receipt.version}`);
      if (requiredVersion === undefined && !item.partnerActive) {
        rejected.push({ ...item, rejected: new Rejected('PARTNER_INACTIVE', `partner ${receipt.partnerId} is deactivated and does not owe restriction ${receipt.restrictionId}`) });
      } else if (requiredVersion === undefined) {
        rejected.push({ ...item, rejected: new Rejected('NOT_ROUTED', `restriction ${receipt.restrictionId} is not routed to ${receipt.partnerId}`) });
      } else if (receipt.version > requiredVersion || !event || Number(event.released) !== 1) {
        rejected.push({ ...item, rejected: new Rejected('VERSION_NOT_PUBLISHED', `version ${receipt.version} was not published to ${receipt.partnerId}`) });
      } else if (event.event_id !== receipt.eventId) {
        rejected.push({ ...item, rejected: new Rejected('EVENT_MISMATCH', `event ${receipt.eventId} is not version ${receipt.version} of ${receipt.restrictionId}`) });
      } else {
        accepted.push({ ...item, publishedAt: event.published_at });
      }
    }
    return { accepted, rejected };
  }

  /** Parsed public keys by PEM: parsing a PEM per receipt cost more than verifying the signature (bench/). */
  private publicKeyObject(pem: string): KeyObject {
    let key = this.parsedKeys.get(pem);
    if (!key) {
      if (this.parsedKeys.size >= 1000) this.parsedKeys.clear();
      key = publicKeyOf(pem);
      this.parsedKeys.set(pem, key);
    }
    return key;
  }

  /**
   * One transaction for the batch: the receipts not yet recorded are inserted, then the ledger
   * moves in waves — the first receipt of each delivery, then the second, … — so two receipts
   * for one delivery in a batch apply in order, as if one after the other. Concurrent batches (another
   * partition, REST, the relay marking versions published) may lock the same ledger rows in another
   * order: a deadlock victim is retried whole.
   */
  private async record(accepted: (Signed & { publishedAt: Date | null })[]): Promise<('ACCEPTED' | 'DUPLICATE')[]> {
    if (accepted.length === 0) return [];
    return this.transactions.run(async (manager) => {
      const now = new Date();
      const receiptKey = (r: Receipt) => `${r.partnerId} ${r.restrictionId} ${r.version} ${r.outcome}`;
      const existing: { partner_id: string; restriction_id: string; version: number; outcome: string }[] = await manager.query(
        'SELECT partner_id, restriction_id, version, outcome FROM receipts WHERE restriction_id IN (?) AND partner_id IN (?)',
        [[...new Set(accepted.map((a) => a.receipt.restrictionId))], [...new Set(accepted.map((a) => a.receipt.partnerId))]],
      );
      const seen = new Set(existing.map((e) => `${e.partner_id} ${e.restriction_id} ${Number(e.version)} ${e.outcome}`));
      const statuses = accepted.map(({ receipt }) => {
        const key = receiptKey(receipt);
        if (seen.has(key)) return 'DUPLICATE' as const;
        seen.add(key);
        return 'ACCEPTED' as const;
      });
      const fresh = accepted.filter((_, i) => statuses[i] === 'ACCEPTED');
      if (fresh.length === 0) return statuses;
      // IGNORE: a concurrent intake of the same receipt (REST and Kafka at once) inserts it once.
      await manager.query(
        `INSERT IGNORE INTO receipts
           (partner_id, restriction_id, version, event_id, outcome, reason, partner_reference, applied_at, received_at, published_at, latency_ms, channel, key_id, signature)
         VALUES ?`,
        [
          fresh.map(({ receipt, channel, publishedAt }) => [
            receipt.partnerId,
            receipt.restrictionId,
            receipt.version,
            receipt.eventId,
            receipt.outcome,
            receipt.reason ?? null,
            receipt.partnerReference ?? null,
            new Date(receipt.time),
            now,
            publishedAt,
            // Not yet marked published: the partner answered before the relay's bookkeeping, which is later still.
            publishedAt ? Math.max(0, now.getTime() - publishedAt.getTime()) : 0,
            channel,
            receipt.keyId,
            receipt.signature,
          ]),
        ],
      );
      for (const wave of inWaves(fresh.map((f) => f.receipt))) await this.applyToLedger(manager, wave, now);
      return statuses;
    });
  }

  /** One receipt per delivery: FAILED marks the failure; any other outcome confirms (a receipt for version n satisfies every earlier one). */
  private async applyToLedger(manager: EntityManager, unordered: Receipt[], now: Date): Promise<void> {
    // In key order, so that concurrent batches lock the ledger rows they share in the same order.
    const wave = [...unordered].sort((a, b) => compareKeys(a.restrictionId, b.restrictionId) || compareKeys(a.partnerId, b.partnerId));
    const failed = wave.filter((r) => r.outcome === 'FAILED');
    const confirmed = wave.filter((r) => r.outcome !== 'FAILED');
    if (failed.length > 0) {
      await manager.query(
        `UPDATE deliveries d JOIN (${derivedRows(failed.length, { c0: param.asciiKey, c1: param.asciiKey, c2: param.unsigned, c3: param.value })}) x ON d.restriction_id = x.c0 AND d.partner_id = x.c1
            SET d.failed_version = x.c2, d.failure_reason = x.c3
          WHERE d.confirmed_version < x.c2`,
        failed.flatMap((r) => [r.restrictionId, r.partnerId, r.version, r.reason ?? null]),
      );
    }
    if (confirmed.length > 0) {
      const keys = confirmed.flatMap((r) => [r.restrictionId, r.partnerId, r.version]);
      // A confirmation clears an earlier failure. Its own statement: a multi-table UPDATE does not
      // promise the order of its assignments, and the failure's two columns depend on each other.
      await manager.query(
        `UPDATE deliveries d JOIN (${derivedRows(confirmed.length, { c0: param.asciiKey, c1: param.asciiKey, c2: param.unsigned })}) x ON d.restriction_id = x.c0 AND d.partner_id = x.c1
            SET d.failed_version = NULL, d.failure_reason = NULL
          WHERE d.confirmed_version < x.c2 AND d.failed_version <= x.c2`,
        keys,
      );
      // Lifting is confirmed exactly like imposing.
      await manager.query(
        `UPDATE deliveries d JOIN (${derivedRows(confirmed.length, { c0: param.asciiKey, c1: param.asciiKey, c2: param.unsigned, c3: param.value, c4: param.value })}) x ON d.restriction_id = x.c0 AND d.partner_id = x.c1
            SET d.confirmed_version = x.c2, d.confirmed_outcome = x.c3, d.confirmed_at = ?, d.partner_reference = x.c4,
                d.imposed_confirmed_at = COALESCE(d.imposed_confirmed_at, ?),
                d.lift_confirmed_at = IF(d.lift_version IS NOT NULL AND x.c2 >= d.lift_version, COALESCE(d.lift_confirmed_at, ?), d.lift_confirmed_at)
          WHERE d.confirmed_version < x.c2`,
        [...confirmed.flatMap((r) => [r.restrictionId, r.partnerId, r.version, r.outcome, r.partnerReference ?? null]), now, now, now],
      );
    }
  }

  private async publishRejections(rejections: { partnerId: string | null; received: unknown; rejected: Rejected }[]): Promise<void> {
    if (rejections.length === 0) return;
    const rejectedAt = new Date().toISOString();
    for (const { rejected } of rejections) this.metrics.receipts.inc({ outcome: 'none', result: `REJECTED_${rejected.reason}` });
    const topic = rejectedReceiptsTopic(this.config.kafka.topicPrefix);
    try {
      await this.bus.publish(
        rejections.map(({ partnerId, received, rejected }) => {
          const rejection: ReceiptRejection = { partnerId, reason: rejected.reason, detail: rejected.message, receipt: received, rejectedAt };
          return { topic, key: partnerId ?? 'unknown', value: JSON.stringify(rejection) };
        }),
      );
    } catch (error) {
      // The rejection is also answered to the sender (REST) or logged; losing the notice must not block intake.
      this.logger.warn(`could not publish ${rejections.length} receipt rejection(s) (${rejections[0].rejected.reason}): ${(error as Error).message}`);
    }
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Splits receipts into waves holding at most one receipt per delivery (partner, restriction), keeping arrival order. */
export function inWaves(receipts: Receipt[]): Receipt[][] {
  const waves: Receipt[][] = [];
  const count = new Map<string, number>();
  for (const receipt of receipts) {
    const key = `${receipt.partnerId} ${receipt.restrictionId}`;
    const wave = count.get(key) ?? 0;
    count.set(key, wave + 1);
    (waves[wave] ??= []).push(receipt);
  }
  return waves;
}
