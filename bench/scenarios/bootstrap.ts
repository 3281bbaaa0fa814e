// (e) Bootstrap: N current states (the generator's realistic mix, signed by the service's
// own EventSigner) are produced to compacted topics with a raw producer; a new partner then
// rebuilds its set from them with PartnerClient.bootstrap (verify every signature, apply
// newer versions only). The raw limit is a bare kafkajs consumer reading the same topics
// without verifying or applying.
import { restrictionEvent, restrictionTopic, uuidv7, type RestrictionEvent } from '@cd/contracts';
import { RESTRICTION_KINDS, type RestrictionKind } from '@cd/domain';
import { defaultVerifyThreads, PartnerClient, type RestrictionStore, type StoredEntry, type StoredRestriction } from '@cd/partner-sdk';
import { EventSigner } from '../../apps/registry/src/publishing/event-signer';
import type { BenchContext } from '../lib/context';
import { DataGenerator } from '../lib/generator';
import { ensureTopics, relayLikeProducer, sendBatch, type RawMessage } from '../lib/kafka';
import { round1 } from './court-writes';

const TARGET_SECONDS_PER_MILLION = 60;

/**
 * What a partner's enforcement index keeps per restriction (version, status, event id); the
 * full state is left out so that a million entries fit the bench process. The SDK's
 * applyIfNewer only reads the version.
 */
class IndexStore implements RestrictionStore {
  private readonly map = new Map<string, { version: number; status: StoredRestriction['status']; eventId: string }>();

  async get(id: string): Promise<StoredRestriction | undefined> {
    const held = this.map.get(id);
    return held && ({ ...held, state: undefined } as unknown as StoredRestriction);
  }

  async put(id: string, value: StoredRestriction): Promise<void> {
    this.map.set(id, { version: value.version, status: value.status, eventId: value.eventId });
  }

  async delete(id: string): Promise<void> {
    this.map.delete(id);
  }

  async entries(): Promise<StoredEntry[]> {
    return [...this.map].map(([id, v]) => ({ id, ...v, state: undefined }) as unknown as StoredEntry);
  }

  async clear(): Promise<void> {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

export async function bootstrap(ctx: BenchContext): Promise<void> {
  const { settings, report, inproc } = ctx;
  const n = settings.bootstrapEvents;
  const partitions = Number(ctx.env.KAFKA_TOPIC_PARTITIONS);
  const prefix = `${ctx.topicPrefix}-boot`;
  const topics = RESTRICTION_KINDS.map((kind) => ({ name: restrictionTopic(kind, prefix), cleanupPolicy: 'compact' as const }));
  await ensureTopics(ctx.kafka, topics, partitions);

  const signer = inproc.app.get(EventSigner);
  const source = inproc.config.events.source;
  const generator = new DataGenerator(4242, ctx.courts);
  const producer = await relayLikeProducer(ctx.kafka);
  const now = new Date();
  const span = 5 * 365 * 86_400_000;
  ctx.log(`bootstrap: producing ${n.toLocaleString('en')} signed current states`);
  const produceStart = performance.now();
  let produced = 0;
  let bytes = 0;
  let batch: RawMessage[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  while (produced < n) {
    const decidedAt = new Date(now.getTime() - span + (span * produced) / n);
    for (const state of generator.history(decidedAt, now)) {
      if (produced >= n) break;
      const change = state.status === 'LIFTED' ? 'lifted' : 'imposed';
      const event: RestrictionEvent = signer.sign(restrictionEvent(state, change, { eventId: uuidv7(), source, time: (state.liftedAt ?? state.decidedAt) as string }));
      const value = JSON.stringify(event);
      bytes += value.length;
      batch.push({ topic: restrictionTopic(state.kind as RestrictionKind, prefix), key: state.id, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', 'ce-id': event.id } });
      produced++;
    }
    if (batch.length >= 2000 || produced >= n) {
      const sending = batch;
      batch = [];
      await inFlight;
      inFlight = sendBatch(producer, sending, partitions);
    }
  }
  await inFlight;
  await producer.disconnect();
  const produceSeconds = (performance.now() - produceStart) / 1000;

  // Raw limit: a bare consumer reading the same partitions to their end.
  const admin = ctx.kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const t of topics) for (const p of await admin.fetchTopicOffsets(t.name)) if (Number(p.high) > 0) ends.set(`${t.name}/${p.partition}`, Number(p.high) - 1);
  await admin.disconnect();
  const rawStart = performance.now();
  let rawCount = 0;
  await new Promise<void>((resolve, reject) => {
    const remaining = new Set(ends.keys());
    const consumer = ctx.kafka.consumer({ groupId: `bench-raw-boot-${Date.now()}`, maxWaitTimeInMs: 500 });
    const timer = setTimeout(() => reject(new Error('raw consumer did not reach the end offsets in 10 minutes')), 600_000);
    consumer
      .connect()
      .then(() => consumer.subscribe({ topics: topics.map((t) => t.name), fromBeginning: true }))
      .then(() =>
        consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch: b }) => {
            rawCount += b.messages.length;
            const slot = `${b.topic}/${b.partition}`;
            if (Number(b.lastOffset()) >= (ends.get(slot) ?? Infinity) && remaining.delete(slot) && remaining.size === 0) {
              clearTimeout(timer);
              consumer.disconnect().then(() => resolve(), reject);
            }
          },
        }),
      )
      .catch(reject);
  });
  const rawSeconds = (performance.now() - rawStart) / 1000;

  // The partner SDK.
  const partner = ctx.partners[0];
  const client = new PartnerClient({
    partnerId: 'bench-bootstrap',
    kinds: [...RESTRICTION_KINDS],
    brokers: inproc.config.kafka.brokers,
    topicPrefix: prefix,
    signingKey: { keyId: partner.keyId, privateKeyPem: partner.privateKeyPem },
    serviceKeys: Object.fromEntries(signer.publicKeys.map((k) => [k.keyId, k.publicKeyPem])),
  });
  const store = new IndexStore();
  const heapBefore = process.memoryUsage().rss;
  ctx.log('bootstrap: PartnerClient.bootstrap');
  const start = performance.now();
  const result = await client.bootstrap(store, { timeoutMs: 1_800_000 });
  const seconds = (performance.now() - start) / 1000;
  const rate = result.messages / seconds;
  const perMillion = 1_000_000 / rate;
  report.add({
    scenario: 'e. bootstrap',
    name: `PartnerClient.bootstrap of ${n.toLocaleString('en')} states (${store.size.toLocaleString('en')} held after)`,
    unit: 'states/s',
    measured: rate,
    raw: rawCount / rawSeconds,
    ratio: rate / (rawCount / rawSeconds),
    target: `1 M in ≤ ${TARGET_SECONDS_PER_MILLION} s (≥ ${Math.round(1_000_000 / TARGET_SECONDS_PER_MILLION).toLocaleString('en')}/s)`,
    pass: perMillion <= TARGET_SECONDS_PER_MILLION && result.invalid === 0 && result.messages >= n,
    notes: `${seconds.toFixed(1)} s for ${result.messages.toLocaleString('en')} → ${perMillion.toFixed(0)} s per million${n < 1_000_000 ? ' (projected)' : ''}; invalid ${result.invalid}; raw consumer (no verify/apply) ${rawSeconds.toFixed(1)} s`,
  });
  report.note(
    `e. bootstrap: PartnerClient.bootstrap takes each partition's runs of messages, parses and checks every event, verifies its Ed25519 signature over canonical JSON on ${defaultVerifyThreads()} worker thread(s) (the default here), then applies it in order; the raw consumer only reads. Runs in the bench process, beside Kafka, on the same cores.`,
  );
  ctx.report.details.bootstrap = {
    events: n,
    avgEventBytes: Math.round(bytes / Math.max(1, produced)),
    produceSeconds: round1(produceSeconds),
    result,
    seconds: round1(seconds),
    rawSeconds: round1(rawSeconds),
    rawMessages: rawCount,
    benchRssGrowthMiB: round1((process.memoryUsage().rss - heapBefore) / 2 ** 20),
  };
}
