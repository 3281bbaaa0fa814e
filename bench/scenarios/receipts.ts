// (c) Receipt intake. Signed receipts for published, unconfirmed deliveries:
//  - Kafka: N receipts pre-signed, then produced to the receipts topic as fast as a raw
//    producer can; the intake rate is what the registry's consumer records per second
//    (receipts.received_at, first to last).
//  - REST: POST /v1/receipts, closed loop.
//  - Raw: the two statements ReceiptsService.record runs (INSERT … SELECT into receipts,
//    UPDATE deliveries), one transaction per receipt, same concurrency — the database's
//    limit for one-transaction-per-receipt intake.
import { receiptsTopic, type Receipt } from '@cd/contracts';
import { privateKeyOf, signReceipt } from '@cd/contracts';
import type { BenchContext, BenchPartner } from '../lib/context';
import { rows, scalar } from '../lib/db';
import { closedLoop, statusOutcome } from '../lib/http';
import { relayLikeProducer, type RawMessage } from '../lib/kafka';
import { sleep } from '../lib/stats';
import { brief, errors, round1 } from './court-writes';
import { seedHeldOutbox, waitForDrain } from './publication';

const TARGET_RATE = 5000;

interface Owed {
  restriction_id: string;
  partner_id: string;
  published_version: number;
  published_event_id: string;
}

async function owedDeliveries(ctx: BenchContext, needed: number): Promise<Owed[]> {
  const fetch = () =>
    rows<Owed>(
      ctx.pool,
      `SELECT d.restriction_id, d.partner_id, d.published_version, o.event_id AS published_event_id
         FROM deliveries d JOIN outbox o ON o.restriction_id = d.restriction_id AND o.version = d.published_version
        WHERE d.awaiting = 1 LIMIT ?`,
      [needed],
    );
  let owed = await fetch();
  if (owed.length < needed) {
    ctx.log(`receipts: ${owed.length} unconfirmed deliveries, publishing more`);
    const held = await seedHeldOutbox(ctx, Math.ceil((needed - owed.length) / 2) + 1000);
    await ctx.pool.query('UPDATE outbox SET available_at = UTC_TIMESTAMP(3) WHERE id BETWEEN ? AND ?', [held.first, held.last]);
    await waitForDrain(ctx, 600_000);
    owed = await fetch();
  }
  return owed;
}

export async function receipts(ctx: BenchContext): Promise<void> {
  const { settings, report } = ctx;
  const n = settings.receipts;
  const rawCount = 20_000;
  const owed = await owedDeliveries(ctx, n * 2 + rawCount * 2);
  const partners = new Map<string, BenchPartner & { key: ReturnType<typeof privateKeyOf> }>(ctx.partners.map((p) => [p.id, { ...p, key: privateKeyOf(p.privateKeyPem) }]));
  const sign = (d: Owed): Receipt => {
    const partner = partners.get(d.partner_id)!;
    return signReceipt(
      {
        partnerId: partner.id,
        restrictionId: d.restriction_id,
        version: Number(d.published_version),
        eventId: d.published_event_id,
        outcome: 'APPLIED',
        partnerReference: `bench-${d.published_version}`,
        time: new Date().toISOString(),
        keyId: partner.keyId,
      },
      partner.key,
    );
  };
  const kafkaSet = owed.slice(0, n);
  const restSet = owed.slice(n, 2 * n);
  const rawSet = owed.slice(2 * n, 2 * n + rawCount);
  const rawBatchSet = owed.slice(2 * n + rawCount);
  ctx.log(`receipts: signing ${kafkaSet.length + restSet.length} receipts`);
  const kafkaReceipts = kafkaSet.map(sign);
  const restReceipts = restSet.map(sign);

  // Kafka intake.
  const topic = receiptsTopic(ctx.topicPrefix);
  const producer = await relayLikeProducer(ctx.kafka);
  const messages: RawMessage[] = kafkaReceipts.map((r) => ({ topic, key: r.restrictionId, value: JSON.stringify(r), headers: { 'content-type': 'application/json' } }));
  const before = await scalar<number>(ctx.pool, `SELECT COUNT(*) FROM receipts WHERE channel = 'kafka'`);
  ctx.registry.markPhase();
  ctx.log(`receipts: producing ${messages.length} receipts to ${topic}`);
  const produceStart = performance.now();
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000).map(({ key, value, headers }) => ({ key, value, headers })) });
  }
  const produceSeconds = (performance.now() - produceStart) / 1000;
  await producer.disconnect();
  let recorded = 0;
  let lastProgress = Date.now();
  const deadline = Date.now() + 600_000;
  for (;;) {
    const count = (await scalar<number>(ctx.pool, `SELECT COUNT(*) FROM receipts WHERE channel = 'kafka'`)) - before;
    if (count > recorded) lastProgress = Date.now();
    recorded = count;
    if (recorded >= messages.length || Date.now() > deadline || Date.now() - lastProgress > 30_000) break;
    await sleep(250);
  }
  const [span] = await rows<{ first: Date; last: Date; n: number }>(
    ctx.pool,
    `SELECT MIN(received_at) AS first, MAX(received_at) AS last, COUNT(*) AS n FROM receipts WHERE channel = 'kafka' AND received_at >= ?`,
    [new Date(Date.now() - 3_600_000)],
  );
  const intakeSeconds = Math.max(0.001, (span.last.getTime() - span.first.getTime()) / 1000);
  const kafkaRate = recorded / intakeSeconds;
  const kafkaRss = ctx.registry.phasePeakMiB();

  // REST intake.
  ctx.registry.markPhase();
  ctx.log(`receipts: REST closed loop, ${settings.restReceiptConcurrency} concurrent`);
  const rest = await closedLoop({
    concurrency: settings.restReceiptConcurrency,
    durationMs: settings.phaseSeconds * 1000,
    maxCount: restReceipts.length,
    task: async (i) => {
      const receipt = restReceipts[i];
      const response = await ctx.http.request('POST', '/v1/receipts', { token: partners.get(receipt.partnerId)!.token, body: receipt });
      return statusOutcome(response, 202);
    },
  });

  // Raw: the service's two statements per receipt, one transaction each.
  const raw = await closedLoop({
    concurrency: settings.restReceiptConcurrency,
    durationMs: settings.phaseSeconds * 1000,
    maxCount: rawSet.length,
    task: async (i) => {
      const d = rawSet[i];
      const connection = await ctx.pool.getConnection();
      try {
        const now = new Date();
        await connection.query('START TRANSACTION');
        await connection.query(
          `INSERT IGNORE INTO receipts
             (partner_id, restriction_id, version, event_id, outcome, reason, partner_reference, applied_at, received_at, published_at, latency_ms, channel, key_id, signature)
           SELECT ?, ?, ?, ?, 'APPLIED', NULL, ?, ?, ?, o.published_at, TIMESTAMPDIFF(MICROSECOND, o.published_at, ?) DIV 1000, 'raw', ?, ?
             FROM outbox o WHERE o.restriction_id = ? AND o.version = ?`,
          [d.partner_id, d.restriction_id, d.published_version, d.published_event_id, 'bench', now, now, now, 'k', 'x'.repeat(88), d.restriction_id, d.published_version],
        );
        await connection.query(
          `UPDATE deliveries SET confirmed_version = ?, confirmed_outcome = 'APPLIED', confirmed_at = ?, partner_reference = ?,
                  imposed_confirmed_at = COALESCE(imposed_confirmed_at, ?)
            WHERE restriction_id = ? AND partner_id = ? AND confirmed_version < ?`,
          [d.published_version, now, 'bench', now, d.restriction_id, d.partner_id, d.published_version],
        );
        await connection.query('COMMIT');
        return 'ok';
      } finally {
        connection.release();
      }
    },
  });

  // Raw, batched: the same rows, 500 receipts per transaction (what batched intake could reach).
  const batchRows = 500;
  const batches: Owed[][] = [];
  for (let i = 0; i < rawBatchSet.length; i += batchRows) batches.push(rawBatchSet.slice(i, i + batchRows));
  const rawBatched = await closedLoop({
    concurrency: 2,
    durationMs: settings.phaseSeconds * 1000,
    maxCount: batches.length,
    task: async (i) => {
      const batch = batches[i];
      const connection = await ctx.pool.getConnection();
      try {
        const now = new Date();
        await connection.query('START TRANSACTION');
        await connection.query(
          `INSERT IGNORE INTO receipts
             (partner_id, restriction_id, version, event_id, outcome, reason, partner_reference, applied_at, received_at, published_at, latency_ms, channel, key_id, signature)
           VALUES ${batch.map(() => "(?, ?, ?, ?, 'APPLIED', NULL, 'bench', ?, ?, NULL, NULL, 'rawbatch', 'k', ?)").join(', ')}`,
          batch.flatMap((d) => [d.partner_id, d.restriction_id, d.published_version, d.published_event_id, now, now, 'x'.repeat(88)]),
        );
        await connection.query(
          `UPDATE deliveries d JOIN (${batch.map(() => 'SELECT ? AS rid, ? AS pid, ? AS v').join(' UNION ALL ')}) x ON d.restriction_id = x.rid AND d.partner_id = x.pid
              SET d.confirmed_version = x.v, d.confirmed_outcome = 'APPLIED', d.confirmed_at = ?, d.partner_reference = 'bench',
                  d.imposed_confirmed_at = COALESCE(d.imposed_confirmed_at, ?)
            WHERE d.confirmed_version < x.v`,
          [...batch.flatMap((d) => [d.restriction_id, d.partner_id, d.published_version]), now, now],
        );
        await connection.query('COMMIT');
        return 'ok';
      } finally {
        connection.release();
      }
    },
  });
  const rawBatchedRate = (rawBatched.ok * batchRows) / (rawBatched.elapsedMs / 1000);

  report.add({
    scenario: 'c. receipts',
    name: `intake via the receipts topic (${messages.length.toLocaleString('en')} signed receipts)`,
    unit: 'receipts/s',
    measured: kafkaRate,
    raw: raw.throughput,
    ratio: kafkaRate / raw.throughput,
    target: `≥ ${TARGET_RATE.toLocaleString('en')}/s`,
    pass: kafkaRate >= TARGET_RATE && recorded >= messages.length,
    notes: `${recorded} recorded in ${intakeSeconds.toFixed(1)} s; produced in ${produceSeconds.toFixed(1)} s (${Math.round(messages.length / produceSeconds)}/s); raw = the same two statements, one DB transaction per receipt, ${settings.restReceiptConcurrency} concurrent; raw batched (${batchRows} per transaction) ${Math.round(rawBatchedRate)}/s`,
  });
  report.add({
    scenario: 'c. receipts',
    name: `intake via REST, ${settings.restReceiptConcurrency} concurrent`,
    unit: 'receipts/s',
    measured: rest.throughput,
    raw: raw.throughput,
    ratio: rest.throughput / raw.throughput,
    p50: rest.latency.p50,
    p95: rest.latency.p95,
    p99: rest.latency.p99,
    target: `≥ ${TARGET_RATE.toLocaleString('en')}/s`,
    pass: rest.throughput >= TARGET_RATE,
    notes: `errors ${errors(rest)}`,
  });
  report.note(
    'c. receipts: the registry takes each partition\'s run of receipts (up to 500) as one batch, one lane per partition: signatures checked on worker threads, two lookups (deliveries, outbox events) and the ledger writes in one transaction per batch; the raw figures show the database limit for one transaction per receipt and for 500 receipts per transaction.',
  );
  ctx.report.details.receipts = {
    kafka: { produced: messages.length, recorded, intakeSeconds: round1(intakeSeconds), produceSeconds: round1(produceSeconds), rssPeakMiB: round1(kafkaRss) },
    rest: brief(rest),
    raw: brief(raw),
    rawBatched: { ...brief(rawBatched), receiptsPerSecond: round1(rawBatchedRate) },
    rssPeakMiB: round1(ctx.registry.phasePeakMiB()),
  };
}
