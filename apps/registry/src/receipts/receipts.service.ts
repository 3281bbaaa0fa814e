import { publicKeyOf, rejectedReceiptsTopic, verifyReceipt, type Receipt, type ReceiptRejection, type RejectionReason } from '@cd/contracts';
import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import { fieldErrors } from '../common/validation';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { PartnerDirectory } from '../partners/partner-directory';
import { MessageBus } from '../publishing/message-bus';
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

/**
 * Receipt intake (guarantee 5): accepted only if well-formed, signed with one of the
 * partner's registered keys, for a restriction routed to that partner, and for a version
 * and event actually published to it. Anything else goes to the rejected-receipts topic
 * and never touches the ledger. A repeated receipt is recorded once.
 */
@Injectable()
export class ReceiptsService {
  private readonly logger = new Logger(ReceiptsService.name);
  private readonly parsedKeys = new Map<string, KeyObject>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly directory: PartnerDirectory,
    private readonly bus: MessageBus,
    private readonly metrics: Metrics,
  ) {}

  /** REST: the caller must be the partner named in the receipt. */
  async submit(body: unknown, callerPartnerId: string): Promise<{ status: 'ACCEPTED' | 'DUPLICATE' }> {
    const claimed = (body as { partnerId?: unknown })?.partnerId;
    if (typeof claimed === 'string' && claimed !== callerPartnerId) {
      throw new AppError('FORBIDDEN', 'A partner may only submit its own receipts.', [{ field: 'partnerId', rule: 'ownPartner', message: 'not the calling partner' }]);
    }
    const result = await this.process(body, 'rest');
    if (result.status === 'REJECTED') {
      throw new AppError('RECEIPT_REJECTED', result.detail, [], { reason: result.reason });
    }
    return result;
  }

  /** Kafka: the raw message value. Never throws for bad input — only for infrastructure failures. */
  async consume(raw: string | null): Promise<ReceiptResult> {
    let body: unknown;
    try {
      body = JSON.parse(raw ?? '');
    } catch {
      return this.reject(null, raw, 'MALFORMED', 'the message is not JSON');
    }
    return this.process(body, 'kafka');
  }

  private async process(body: unknown, channel: 'rest' | 'kafka'): Promise<ReceiptResult> {
    let receipt: Receipt;
    try {
      receipt = await this.check(body);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      const partnerId = typeof (body as { partnerId?: unknown })?.partnerId === 'string' ? (body as { partnerId: string }).partnerId : null;
      return this.reject(partnerId, body, error.reason, error.message);
    }
    const status = await this.record(receipt, channel);
    this.metrics.receipts.inc({ outcome: receipt.outcome, result: status });
    return { status };
  }

  private async check(body: unknown): Promise<Receipt> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Rejected('MALFORMED', 'a receipt must be a JSON object');
    const dto = plainToInstance(ReceiptDto, body);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      throw new Rejected('MALFORMED', fieldErrors(errors).map((e) => `${e.field}: ${e.rule}`).join('; '));
    }
    const receipt = body as Receipt;
    const partner = await this.directory.get(receipt.partnerId);
    if (!partner) throw new Rejected('UNKNOWN_PARTNER', `partner ${receipt.partnerId} is not registered`);
    if (!partner.active) throw new Rejected('PARTNER_INACTIVE', `partner ${receipt.partnerId} is deactivated`);
    const key = await this.directory.publicKey(receipt.partnerId, receipt.keyId);
    if (!key) throw new Rejected('UNKNOWN_KEY', `partner ${receipt.partnerId} has no active key ${receipt.keyId}`);
    if (!verifyReceipt(receipt, this.publicKeyObject(key))) throw new Rejected('BAD_SIGNATURE', 'the signature does not verify with the named key');

    // "Published to it": the partner owes this version and the version was released to the
    // topic. The broker may have delivered it (and the partner answered) a moment before the
    // relay recorded the acknowledgement, so the outbox row's release — not the relay's
    // bookkeeping — decides; the event id must match, and a held event's id is known to no one.
    const [delivery]: { required_version: number }[] = await this.dataSource.query(
      'SELECT required_version FROM deliveries WHERE restriction_id = ? AND partner_id = ?',
      [receipt.restrictionId, receipt.partnerId],
    );
    if (!delivery) throw new Rejected('NOT_ROUTED', `restriction ${receipt.restrictionId} is not routed to ${receipt.partnerId}`);
    const [event]: { event_id: string; released: number }[] = await this.dataSource.query(
      'SELECT event_id, available_at <= UTC_TIMESTAMP(3) AS released FROM outbox WHERE restriction_id = ? AND version = ?',
      [receipt.restrictionId, receipt.version],
    );
    if (receipt.version > delivery.required_version || !event || Number(event.released) !== 1) {
      throw new Rejected('VERSION_NOT_PUBLISHED', `version ${receipt.version} was not published to ${receipt.partnerId}`);
    }
    if (event.event_id !== receipt.eventId) {
      throw new Rejected('EVENT_MISMATCH', `event ${receipt.eventId} is not version ${receipt.version} of ${receipt.restrictionId}`);
    }
    return receipt;
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

  private async record(receipt: Receipt, channel: 'rest' | 'kafka'): Promise<'ACCEPTED' | 'DUPLICATE'> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const inserted: { affectedRows: number } = await manager.query(
        `INSERT IGNORE INTO receipts
           (partner_id, restriction_id, version, event_id, outcome, reason, partner_reference, applied_at, received_at, published_at, latency_ms, channel, key_id, signature)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, o.published_at, TIMESTAMPDIFF(MICROSECOND, o.published_at, ?) DIV 1000, ?, ?, ?
           FROM outbox o WHERE o.restriction_id = ? AND o.version = ?`,
        [
          receipt.partnerId,
          receipt.restrictionId,
          receipt.version,
          receipt.eventId,
          receipt.outcome,
          receipt.reason ?? null,
          receipt.partnerReference ?? null,
          new Date(receipt.time),
          now,
          now,
          channel,
          receipt.keyId,
          receipt.signature,
          receipt.restrictionId,
          receipt.version,
        ],
      );
      if (inserted.affectedRows === 0) return 'DUPLICATE';
      if (receipt.outcome === 'FAILED') {
        await manager.query(
          `UPDATE deliveries SET failed_version = ?, failure_reason = ? WHERE restriction_id = ? AND partner_id = ? AND confirmed_version < ?`,
          [receipt.version, receipt.reason ?? null, receipt.restrictionId, receipt.partnerId, receipt.version],
        );
      } else {
        // A receipt for version n satisfies every earlier version; lifting is confirmed exactly like imposing.
        await manager.query(
          `UPDATE deliveries
              SET confirmed_version = ?, confirmed_outcome = ?, confirmed_at = ?, partner_reference = ?,
                  imposed_confirmed_at = COALESCE(imposed_confirmed_at, ?),
                  lift_confirmed_at = IF(lift_version IS NOT NULL AND ? >= lift_version, COALESCE(lift_confirmed_at, ?), lift_confirmed_at),
                  failure_reason = IF(failed_version <= ?, NULL, failure_reason),
                  failed_version = IF(failed_version <= ?, NULL, failed_version)
            WHERE restriction_id = ? AND partner_id = ? AND confirmed_version < ?`,
          [
            receipt.version,
            receipt.outcome,
            now,
            receipt.partnerReference ?? null,
            now,
            receipt.version,
            now,
            receipt.version,
            receipt.version,
            receipt.restrictionId,
            receipt.partnerId,
            receipt.version,
          ],
        );
      }
      return 'ACCEPTED';
    });
  }

  private async reject(partnerId: string | null, received: unknown, reason: RejectionReason, detail: string): Promise<ReceiptResult> {
    const rejection: ReceiptRejection = { partnerId, reason, detail, receipt: received, rejectedAt: new Date().toISOString() };
    this.metrics.receipts.inc({ outcome: 'none', result: `REJECTED_${reason}` });
    try {
      await this.bus.publish([{ topic: rejectedReceiptsTopic(this.config.kafka.topicPrefix), key: partnerId ?? 'unknown', value: JSON.stringify(rejection) }]);
    } catch (error) {
      // The rejection is also answered to the sender (REST) or logged; losing the notice must not block intake.
      this.logger.warn(`could not publish a receipt rejection (${reason}): ${(error as Error).message}`);
    }
    return { status: 'REJECTED', reason, detail };
  }
}
