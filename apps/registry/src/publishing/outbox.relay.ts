import { allTopics, eventHeaders } from '@cd/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';
import { derivedRows, param } from '../database/derived-rows';
import { TransactionRunner } from '../database/transaction-runner';
import { DeliveryLedger } from '../deliveries/delivery-ledger';
import { Metrics } from '../metrics/metrics';
import { PartnerDirectory } from '../partners/partner-directory';
import { MessageBus, type DeliveryReceipt } from './message-bus';
import { TopicProvisioner } from './topic-provisioner';

interface PendingRow {
  id: string;
  restriction_id: string;
  version: number;
  topic: string;
  payload: string;
  event_id: string;
}

const LEASE = 'outbox-relay';

interface Marking {
  ids: Set<string>;
  done: Promise<void>;
}

/**
 * Publishes committed outbox rows to Kafka (guarantee 2).
 *
 * Ordering: only the instance holding the lease publishes, and a row is taken only
 * when no earlier row of the same restriction is still unpublished (head of line),
 * so versions leave in order even across a hand-over. No cursor is kept: a row whose
 * transaction commits late is simply found by the next poll. A send is started only
 * with half the lease left, and the client's timeouts are sized to end it well inside
 * that, so a stalled former holder normally gives up before the lease passes on (a
 * bound on kafkajs's send path, not a fence: see relayProducerTimeouts).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  /** Set by stop(): the batch being sent is the last one this instance selects. */
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  private leaseValidUntil = 0;
  private readonly knownTopics = new Set<string>();
  private failures = 0;
  private passes: Promise<unknown> = Promise.resolve();
  /** Sent batches whose rows are being marked published, oldest first; later batches are sent meanwhile. */
  private markings: Marking[] = [];
  /** Rows already reported as undecryptable: reported once per process, not on every poll. */
  private readonly unreadable = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly ledger: DeliveryLedger,
    private readonly partners: PartnerDirectory,
    private readonly metrics: Metrics,
    private readonly cipher: FieldCipher,
    private readonly transactions: TransactionRunner,
    private readonly topics: TopicProvisioner,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.relay.enabled) this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    await this.bus.close();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running) {
      this.running = false;
      this.wake?.();
      await this.loop;
    }
    // Also after drainOnce without the loop: a lease this instance holds goes back at once,
    // so the next holder need not wait for it to expire.
    await this.passes;
    await this.settleMarking().catch((error: Error) => this.logger.warn(`last batch not marked published (${error.message}); it is sent again by the next holder`));
    await this.releaseLease();
  }

  /** Called after a commit: publish now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  get isLeader(): boolean {
    return performance.now() < this.leaseValidUntil;
  }

  /** One pass, for tests and tools: publishes what is due, returns how many rows were published. */
  drainOnce(): Promise<number> {
    return this.exclusive(async () => {
      if (!(await this.holdLease())) return 0;
      await this.ensureTopics();
      try {
        return await this.publishBatch();
      } finally {
        await this.settleMarking();
      }
    });
  }

  /** One pass at a time per instance: the loop and drainOnce never send the same rows concurrently. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.passes.then(work);
    this.passes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.config.relay.pollIntervalMs;
      try {
        const published = await this.exclusive(async () => {
          if (!(await this.holdLease())) {
            await this.settleMarking();
            return undefined;
          }
          await this.ensureTopics();
          return this.publishBatch();
        });
        if (published !== undefined) {
          if (this.failures > 0) this.logger.log(`publishing again after ${this.failures} failed attempt(s)`);
          this.failures = 0;
          if (published >= this.config.relay.batchSize) delay = 0;
        } else {
          delay = Math.min(2000, this.config.relay.leaseMs / 3);
        }
      } catch (error) {
        this.failures++;
        delay = Math.min(this.config.relay.maxBackoffMs, this.config.relay.pollIntervalMs * 2 ** Math.min(this.failures, 10));
        this.logger.warn(`outbox relay attempt ${this.failures} failed (${(error as Error).message}); retrying in ${delay} ms`);
      }
      if (delay > 0) await this.sleep(delay);
    }
  }

  /** Normally done at start-up already (TopicProvisioner); a relay pass must not run before. */
  private async ensureTopics(): Promise<void> {
    if (this.knownTopics.size > 0) return;
    await this.topics.ensure();
    allTopics(this.config.kafka.topicPrefix).forEach((topic) => this.knownTopics.add(topic.name));
  }

  /**
   * Acquires or renews the lease in the database, by the database's clock. Renewed only once a
   * third of it has run: a send still starts with more than half of it left (publishBatch).
   */
  private async holdLease(): Promise<boolean> {
    if (performance.now() < this.leaseValidUntil - (this.config.relay.leaseMs * 2) / 3) return true;
    const owner = this.config.relay.instanceId;
    const requestedAt = performance.now();
    const result: { affectedRows: number } = await this.dataSource.query(
      `UPDATE relay_leases
          SET fencing_token = IF(owner <=> ?, fencing_token, fencing_token + 1),
              owner = ?,
              expires_at = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
        WHERE name = ? AND (owner <=> ? OR expires_at < UTC_TIMESTAMP(3))`,
      [owner, owner, this.config.relay.leaseMs * 1000, LEASE, owner],
    );
    this.leaseValidUntil = result.affectedRows === 1 ? requestedAt + this.config.relay.leaseMs : 0;
    return result.affectedRows === 1;
  }

  private async releaseLease(): Promise<void> {
    this.leaseValidUntil = 0;
    await this.dataSource
      .query(`UPDATE relay_leases SET owner = NULL, expires_at = UTC_TIMESTAMP(3) WHERE name = ? AND owner = ?`, [LEASE, this.config.relay.instanceId])
      .catch((error: Error) => this.logger.warn(`could not release the relay lease: ${error.message}`));
  }

  /**
   * Sends batches while the backlog fills them. While the broker acknowledges one batch, the next is
   * selected and decrypted: rows in flight, being marked or undecryptable are excluded, and head of
   * line holds back their restrictions' later versions, so versions still leave in order. Marking a
   * sent batch published runs in its own transaction while later batches go out; at most
   * `relay.markConcurrency` are being marked, and none once the backlog is empty. Nothing selected
   * outlives the call, so a selection is never sent after the lease has passed on and come back.
   */
  private async publishBatch(): Promise<number> {
    let batch = await this.prepare([]);
    let published = 0;
    while (batch && batch.rows.length > 0) {
      // Half the lease must remain: the producer's timeouts, derived from the lease, are sized to end a
      // send within 40 % of it (relayProducerTimeouts), so a stalled former holder gives up first.
      if (performance.now() > this.leaseValidUntil - this.config.relay.leaseMs / 2) break;
      const sending = this.send(batch.rows);
      const next = batch.full && !this.stopping ? this.prepare(batch.rows.map((row) => row.id)) : Promise.resolve(undefined);
      next.catch(() => undefined); // awaited below, or after a failed send
      let receipts: DeliveryReceipt[];
      try {
        receipts = await sending;
      } catch (error) {
        await next.catch(() => undefined);
        throw error;
      }
      const done = this.markPublished(batch.rows, receipts);
      done.catch(() => undefined); // observed by settle()
      this.markings.push({ ids: new Set(batch.rows.map((row) => row.id)), done });
      published += batch.rows.length;
      while (this.markings.length >= this.config.relay.markConcurrency) await this.settle(this.markings[0]);
      batch = await next;
      if (batch && batch.rows.length > 0 && !(await this.holdLease())) break;
    }
    if (!batch?.full) await this.settleMarking();
    return published;
  }

  /**
   * Selects the due rows (head of line) not in flight or being marked, and decrypts them. The rows in
   * flight or being marked are skipped as the whole id interval they span, by the index range itself:
   * the markings are updating exactly those rows, and reading past rows that other transactions are
   * changing costs InnoDB a clustered lookup and an undo-log reconstruction each. A row inside the
   * interval that is not in flight (held back by head of line, or committed late) waits until the
   * interval has moved past it, which it does as soon as the batches below it are marked. Head of
   * line reads a restriction's few versions by (restriction, version): with the pending index the
   * optimizer may pick instead, it would scan the whole backlog once per candidate.
   */
  private async prepare(inFlight: string[]): Promise<{ rows: (PendingRow & { event: string })[]; full: boolean } | undefined> {
    const busy = [...inFlight, ...this.markings.flatMap((marking) => [...marking.ids])].map(BigInt);
    const below = busy.reduce((min, id) => (id < min ? id : min), busy[0] ?? 0n);
    const above = busy.reduce((max, id) => (id > max ? id : max), busy[0] ?? 0n);
    const unreadable = [...this.unreadable];
    const selecting = this.metrics.relayStep.startTimer({ step: 'select' });
    const pending: PendingRow[] = await this.dataSource.query(
      `SELECT o.id, o.restriction_id, o.version, o.topic, o.payload, o.event_id
         FROM outbox o
        WHERE o.published_at IS NULL
          AND o.available_at <= UTC_TIMESTAMP(3)
          ${busy.length > 0 ? 'AND (o.id < CAST(? AS UNSIGNED) OR o.id > CAST(? AS UNSIGNED))' : ''}
          ${unreadable.length > 0 ? 'AND o.id NOT IN (?)' : ''}
          AND NOT EXISTS (SELECT 1 FROM outbox e FORCE INDEX (ux_outbox_restriction_version)
                           WHERE e.restriction_id = o.restriction_id AND e.version < o.version AND e.published_at IS NULL)
        ORDER BY o.id
        LIMIT ?`,
      [...(busy.length > 0 ? [String(below), String(above)] : []), ...(unreadable.length > 0 ? [unreadable] : []), this.config.relay.batchSize],
    );
    if (pending.length === 0) return undefined;
    selecting();
    const decrypting = this.metrics.relayStep.startTimer({ step: 'decrypt' });
    const rows = await this.decrypted(pending);
    decrypting();
    return { rows, full: pending.length >= this.config.relay.batchSize };
  }

  /** Sends the rows (creating a topic a committed row names, so one row can never stall the relay); resolves on the broker's acknowledgement. */
  private async send(rows: (PendingRow & { event: string })[]): Promise<DeliveryReceipt[]> {
    const unknownTopics = [...new Set(rows.map((row) => row.topic))].filter((topic) => !this.knownTopics.has(topic));
    if (unknownTopics.length > 0) {
      await this.bus.ensureTopics(unknownTopics.map((name) => ({ name, cleanupPolicy: 'compact' as const })));
      unknownTopics.forEach((topic) => this.knownTopics.add(topic));
    }
    const sending = this.metrics.relayStep.startTimer({ step: 'send' });
    try {
      const receipts = await this.bus.publish(
        rows.map((row) => ({
          topic: row.topic,
          key: row.restriction_id,
          value: row.event,
          headers: eventHeaders(row.event_id),
        })),
      );
      sending();
      return receipts;
    } catch (error) {
      await this.dataSource
        .query(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN (?)`, [String((error as Error).message).slice(0, 500), rows.map((row) => row.id)])
        .catch(() => undefined);
      throw error;
    }
  }

  /** Waits until every batch being marked is recorded; a failure surfaces here, and the failed batch's rows are sent again. */
  private async settleMarking(): Promise<void> {
    while (this.markings.length > 0) await this.settle(this.markings[0]);
  }

  private async settle(marking: Marking): Promise<void> {
    try {
      await marking.done;
      this.markings = this.markings.filter((m) => m !== marking);
    } catch (error) {
      // Let the others finish first: rows still being marked must not be selected and sent again meanwhile.
      await Promise.allSettled(this.markings.map((m) => m.done));
      this.markings = [];
      throw error;
    }
  }

  /** After the broker acknowledged: rows published (partition, offset) and the versions recorded in the ledger, one transaction. */
  private async markPublished(rows: (PendingRow & { event: string })[], receipts: DeliveryReceipt[]): Promise<void> {
    const marking = this.metrics.relayStep.startTimer({ step: 'mark' });
    const publishedAt = new Date();
    const dueAt = await this.partners.dueTimes(publishedAt);
    // Joined to the acknowledged (id, partition, offset) triples: linear in the batch, where two
    // CASE expressions of one branch per row were quadratic (bench/: ~2× cheaper at 500 rows).
    const acknowledged = derivedRows(rows.length, { id: param.unsigned, kp: param.value, ko: param.value });
    // Receipts of the same deliveries may be recorded meanwhile, locking ledger rows in another order: a deadlock victim is retried.
    await this.transactions.run(async (manager) => {
      const outboxRows = this.metrics.relayStep.startTimer({ step: 'mark_outbox' });
      await manager.query(
        `UPDATE outbox o
           JOIN (${acknowledged}) x ON o.id = x.id
            SET o.published_at = ?, o.kafka_partition = x.kp, o.kafka_offset = x.ko`,
        [...rows.flatMap((row, i) => [row.id, receipts[i].partition, receipts[i].offset]), publishedAt],
      );
      outboxRows();
      const ledgerRows = this.metrics.relayStep.startTimer({ step: 'mark_ledger' });
      await this.ledger.recordPublished(
        manager,
        rows.map((row) => ({ restrictionId: row.restriction_id, version: row.version, status: eventStatus(row.event) })),
        publishedAt,
        dueAt,
      );
      ledgerRows();
    });
    marking();
    this.metrics.published.inc(rows.length);
  }

  /**
   * The events in plaintext, decrypted right before sending. A row that does not decrypt (its
   * key was retired too early, or the row was altered) is set aside with its error, so it
   * stalls only its own restriction (head of line), never the relay.
   */
  private async decrypted(rows: PendingRow[]): Promise<(PendingRow & { event: string })[]> {
    const ready: (PendingRow & { event: string })[] = [];
    const failed: { id: string; eventId: string; message: string }[] = [];
    for (const row of rows) {
      try {
        ready.push({ ...row, event: this.cipher.decrypt(row.payload, contextOf.outboxPayload(row.event_id)) });
      } catch (error) {
        if (!this.unreadable.has(row.id)) failed.push({ id: row.id, eventId: row.event_id, message: (error as Error).message });
      }
    }
    if (failed.length > 0) {
      if (this.unreadable.size > 10_000) this.unreadable.clear();
      failed.forEach((f) => this.unreadable.add(f.id));
      this.logger.error(`cannot decrypt ${failed.length} outbox row(s), held back: ${failed.map((f) => `event ${f.eventId} (${f.message})`).join('; ')}`);
      await this.dataSource
        .query(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id IN (?)`, [failed[0].message.slice(0, 500), failed.map((f) => f.id)])
        .catch(() => undefined);
    }
    return ready;
  }

  /** Sleeps until the next poll or a nudge; after a nudge, lingers briefly so concurrent commits leave together. */
  private sleep(ms: number): Promise<void> {
    const linger = this.config.relay.lingerMs;
    if (this.nudged) {
      this.nudged = false;
      return linger > 0 ? new Promise((resolve) => setTimeout(resolve, linger)) : Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.nudged = false;
        clearTimeout(timer);
        if (this.running && linger > 0) timer = setTimeout(done, linger);
        else done();
      };
    });
  }
}

function eventStatus(payload: string): string {
  return (JSON.parse(payload) as { data?: { status?: string } }).data?.status ?? 'ACTIVE';
}
