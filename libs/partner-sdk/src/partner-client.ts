import { randomBytes, type KeyObject } from 'node:crypto';
import {
  DEFAULT_TOPIC_PREFIX,
  privateKeyOf,
  receiptHeaders,
  receiptsTopic,
  rejectedReceiptsTopic,
  restrictionTopic,
  signReceipt,
  type ReceiptRejection,
  type RestrictionEvent,
  type UnsignedReceipt,
} from '@cd/contracts';
import type { RestrictionKind } from '@cd/domain';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type KafkaConfig, type Producer } from 'kafkajs';
import { applyIfNewer, type ApplyResult } from './apply';
import {
  checkEventMessage,
  checkEventMessages,
  processEventBatch,
  type EventHandler,
  type IncomingMessage,
  type InvalidEvent,
  type ReceiptRequest,
  type ScreenedMessage,
  type SentReceipt,
} from './event-pipeline';
import { ReceiptRejectedError } from './errors';
import { ServiceKeyRing } from './key-ring';
import { activeDigests, entriesInBuckets } from './reconciliation';
import { RegistryClient, type AuthoritativeItem, type TokenSource } from './registry-client';
import type { RestrictionStore } from './store';
import { defaultVerifyThreads, SignatureVerifierPool } from './verify-pool';

export type ReceiptTransport = 'kafka' | 'rest';

/** Messages per verification round trip in bootstrap(). */
const BOOTSTRAP_CHUNK = 128;

export interface PartnerClientConfig {
  partnerId: string;
  /** The kinds this partner is registered to enforce: only their topics are read. */
  kinds: readonly RestrictionKind[];
  brokers: string[];
  topicPrefix?: string;
  /** Consumer group of subscribe(); default `partner.<partnerId>`. */
  groupId?: string;
  clientId?: string;
  /** The partner's Ed25519 key registered with the service; signs every receipt. */
  signingKey: { keyId: string; privateKeyPem: string };
  /** The service's event-signing public keys by key id; when absent they are fetched from registryUrl. */
  serviceKeys?: Record<string, string>;
  registryUrl?: string;
  /** Bearer JWT (role partner) for the REST resources, or a function returning a fresh one. */
  token?: TokenSource;
  receiptTransport?: ReceiptTransport;
  /** Extra kafkajs settings (ssl, sasl, logLevel, logCreator, …). Logging is off unless set here. */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
  requestTimeoutMs?: number;
  /** HTTP client for the REST resources (e.g. one with mTLS); default the global fetch. */
  fetch?: typeof fetch;
  /** Consumer crashes; `fatal` when kafkajs will not restart the consumer by itself. */
  onError?: (error: unknown, context: { where: 'subscribe' | 'rejections' | 'bootstrap'; fatal: boolean }) => void;
}

export interface SubscribeOptions {
  /** Make the handler's writes durable (e.g. `() => store.flush()`); runs before receipts are sent and offsets committed. */
  flush?: () => Promise<void>;
  onInvalidEvent?: (invalid: InvalidEvent) => void | Promise<void>;
  onReceiptSent?: (sent: SentReceipt) => void | Promise<void>;
  onReceiptRejected?: (error: ReceiptRejectedError, request: ReceiptRequest) => void | Promise<void>;
  /** Where a new consumer group starts; default true (a compacted topic from the beginning is the full current set). */
  fromBeginning?: boolean;
  /** Messages per flush + receipts + commit round; default 100. */
  maxMessagesPerCommit?: number;
}

export interface BootstrapResult {
  partitions: number;
  messages: number;
  applied: number;
  stale: number;
  duplicate: number;
  invalid: number;
  notApplicable: number;
}

export interface BootstrapOptions {
  /** Gives up (and throws) when the captured end offsets are not all reached by then. Default 5 minutes. */
  timeoutMs?: number;
  onInvalidEvent?: (invalid: InvalidEvent) => void | Promise<void>;
  /** Worker threads verifying signatures; 0 verifies on the calling thread. Default: defaultVerifyThreads(). */
  verifyThreads?: number;
}

export interface ReconcileResult {
  differingBuckets: number[];
  activeEntries: number;
  bucketsSent: number;
}

export interface RepairOptions {
  /** Send a receipt for each version newly applied by the repair (default true): the ledger likely lacks it. */
  confirm?: boolean;
  /** Delete ACTIVE local entries the registry does not list in the bucket (default false: reported only). */
  dropOrphans?: boolean;
  pageSize?: number;
  onInvalidEvent?: (invalid: InvalidEvent) => void | Promise<void>;
}

export interface RepairResult {
  buckets: number[];
  fetched: number;
  applied: number;
  stale: number;
  duplicate: number;
  invalid: number;
  notApplicable: number;
  receiptsSent: number;
  /** ACTIVE here but not listed by the registry for its bucket. */
  orphans: string[];
  dropped: number;
}

export class PartnerClient {
  readonly partnerId: string;
  readonly kinds: readonly RestrictionKind[];
  readonly topicPrefix: string;
  readonly topics: string[];
  readonly groupId: string;
  readonly receiptTransport: ReceiptTransport;
  readonly keyRing: ServiceKeyRing;
  private readonly kafka: Kafka;
  private readonly signingKey: { keyId: string; privateKey: KeyObject };
  private readonly registry?: RegistryClient;
  private producer?: Promise<Producer>;
  private subscribed = false;
  private readonly consumers = new Set<Consumer>();
  private readonly admins = new Set<Admin>();

  constructor(private readonly config: PartnerClientConfig) {
    if (!config.partnerId) throw new Error('partnerId is required');
    if (config.kinds.length === 0) throw new Error('at least one restriction kind is required');
    this.receiptTransport = config.receiptTransport ?? 'kafka';
    if (!config.serviceKeys && !config.registryUrl) throw new Error('service public keys are needed: give serviceKeys or registryUrl');
    if (this.receiptTransport === 'rest' && (!config.registryUrl || !config.token)) throw new Error('REST receipts need registryUrl and token');
    this.partnerId = config.partnerId;
    this.kinds = [...new Set(config.kinds)];
    this.topicPrefix = config.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    this.topics = this.kinds.map((kind) => restrictionTopic(kind, this.topicPrefix));
    this.groupId = config.groupId ?? `partner.${config.partnerId}`;
    this.signingKey = { keyId: config.signingKey.keyId, privateKey: privateKeyOf(config.signingKey.privateKeyPem) };
    if (config.registryUrl) {
      this.registry = new RegistryClient({ baseUrl: config.registryUrl, token: config.token, timeoutMs: config.requestTimeoutMs, fetch: config.fetch });
    }
    const registry = this.registry;
    this.keyRing = new ServiceKeyRing(config.serviceKeys ?? {}, {
      fetchKeys: registry && !config.serviceKeys
        ? async () => Object.fromEntries((await registry.eventKeys()).map((key) => [key.keyId, key.publicKeyPem]))
        : undefined,
    });
    this.kafka = new Kafka({
      clientId: config.clientId ?? `partner-${config.partnerId}`,
      brokers: config.brokers,
      logLevel: logLevel.NOTHING,
      ...config.kafka,
    });
  }

  /**
   * Consumes the topics of this partner's kinds. Each event is verified; an unverifiable
   * one is reported to onInvalidEvent, not handed to the handler, and passed over. The
   * handler's result becomes a signed receipt. Offsets are committed only once the handler,
   * the flush and the receipt of every message before them have completed, so a crash
   * means redelivery (harmless with applyIfNewer), never a skipped event.
   * Resolves once the consumer runs.
   */
  async subscribe(handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    if (this.subscribed) throw new Error('already subscribed; one subscription per client (it holds the consumer group)');
    this.subscribed = true;
    await this.ensureServiceKeys();
    const consumer = this.trackConsumer(this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 1000 }), 'subscribe');
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: options.fromBeginning ?? true });
    const chunkSize = options.maxMessagesPerCommit ?? 100;
    // Offsets are resolved by hand, only once a message's effects are complete; kafkajs commits
    // resolved offsets only (after each round here, after each batch, after an error and on stop).
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets }) => {
        for (let start = 0; start < batch.messages.length; start += chunkSize) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(start, start + chunkSize).map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value,
          }));
          const outcome = await processEventBatch(chunk, {
            verifier: this.keyRing,
            handler,
            sendReceipt: (request) => this.sendReceipt(request),
            flush: options.flush,
            onInvalidEvent: options.onInvalidEvent,
            onReceiptSent: options.onReceiptSent,
            onReceiptRejected: options.onReceiptRejected,
            shouldContinue: () => isRunning() && !isStale(),
            afterEach: heartbeat,
          });
          if (outcome.lastCompletedOffset !== null) {
            resolveOffset(outcome.lastCompletedOffset);
            await commitOffsetsIfNecessary(uncommittedOffsets());
          }
          // Rethrown: kafkajs retries from the first message not resolved (the failed one), with backoff.
          if (outcome.error) throw outcome.error;
          if (outcome.lastCompletedOffset !== chunk[chunk.length - 1].offset) return;
        }
      },
    });
  }

  /** Signs the receipt with the partner key and sends it by the configured transport. */
  async sendReceipt(request: ReceiptRequest): Promise<SentReceipt> {
    if (request.outcome === 'FAILED' && !request.reason) throw new Error('a FAILED receipt needs a reason');
    if (!Number.isSafeInteger(request.version) || request.version < 1) throw new Error('version must be a positive integer');
    const unsigned: UnsignedReceipt = {
      partnerId: this.partnerId,
      restrictionId: request.restrictionId,
      version: request.version,
      eventId: request.eventId,
      outcome: request.outcome,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      ...(request.partnerReference !== undefined ? { partnerReference: request.partnerReference } : {}),
      time: new Date().toISOString(),
      keyId: this.signingKey.keyId,
    };
    const receipt = signReceipt(unsigned, this.signingKey.privateKey);
    if (this.receiptTransport === 'rest') {
      const status = await this.restClient().submitReceipt(receipt);
      return { receipt, transport: 'rest', status };
    }
    const producer = await this.connectedProducer();
    try {
      await producer.send({
        topic: receiptsTopic(this.topicPrefix),
        acks: -1,
        messages: [{ key: receipt.restrictionId, value: JSON.stringify(receipt), headers: receiptHeaders() }],
      });
    } catch (error) {
      await this.resetProducer();
      throw error;
    }
    return { receipt, transport: 'kafka', status: 'SENT' };
  }

  /**
   * Rebuilds state from the compacted topics: reads each partition from the beginning up
   * to the end offset captured at the start (later events are left to subscribe()),
   * verifying and applying with applyIfNewer. Signatures are verified a batch at a time on
   * worker threads (options.verifyThreads), events are applied in offset order; an event of a
   * kind this partner does not enforce is counted notApplicable without being verified. Uses a
   * throwaway consumer group (deleted afterwards) and sends no receipts. Flushes the store when done.
   */
  async bootstrap(store: RestrictionStore, options: BootstrapOptions = {}): Promise<BootstrapResult> {
    await this.ensureServiceKeys();
    const result: BootstrapResult = { partitions: 0, messages: 0, applied: 0, stale: 0, duplicate: 0, invalid: 0, notApplicable: 0 };
    const admin = this.trackAdmin(this.kafka.admin());
    await admin.connect();
    const groupId = `${this.groupId}.bootstrap.${randomBytes(6).toString('hex')}`;
    let consumer: Consumer | undefined;
    let pool: SignatureVerifierPool | undefined;
    try {
      const lastOffsets = new Map<string, bigint>();
      for (const topic of this.topics) {
        for (const { partition, low, high } of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(high) > BigInt(low)) lastOffsets.set(`${topic}/${partition}`, BigInt(high) - 1n);
        }
      }
      result.partitions = lastOffsets.size;
      if (lastOffsets.size === 0) return result;

      const remaining = new Set(lastOffsets.keys());
      let finish!: () => void;
      let fail!: (error: unknown) => void;
      const finished = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      finished.catch(() => undefined); // a failure before it is awaited (e.g. a verifier thread dying) is not unhandled
      const reached = (topic: string, partition: number, offset: string) => {
        const slot = `${topic}/${partition}`;
        const last = lastOffsets.get(slot);
        if (last !== undefined && BigInt(offset) >= last && remaining.delete(slot) && remaining.size === 0) finish();
      };

      const threads = options.verifyThreads ?? defaultVerifyThreads();
      if (threads > 0) pool = new SignatureVerifierPool(threads, fail);
      const checkAll = (events: readonly RestrictionEvent[]) => this.keyRing.checkAll(events, pool);
      const accepts = (event: RestrictionEvent) => this.kinds.includes(event.data.kind);

      consumer = this.trackConsumer(this.kafka.consumer({ groupId, maxWaitTimeInMs: 500 }), 'bootstrap', fail);
      // Batches made only of control records or compacted-away offsets reach no handler but still
      // advance; a batch left early (stopping, partition revoked or sought) ends too, but is no progress.
      const leftEarly = new Set<string>();
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (!leftEarly.delete(`${payload.topic}/${payload.partition}`)) reached(payload.topic, payload.partition, payload.lastOffset);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: this.topics, fromBeginning: true });
      // With threads, a few partitions' batches are taken at once, so the main thread parses one while
      // the threads check another. Applying stays one chunk at a time: applyIfNewer reads then writes,
      // and a restriction can sit in two partitions of its topic once the partition count was raised.
      let applying: Promise<void> = Promise.resolve();
      const serially = (apply: () => Promise<void>): Promise<void> => {
        const run = applying.then(apply);
        applying = run.catch(() => undefined);
        return run;
      };
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: pool ? threads + 2 : 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          const { topic, partition } = batch;
          const last = lastOffsets.get(`${topic}/${partition}`);
          if (last === undefined) return;
          const messages: IncomingMessage[] = batch.messages
            .filter((message) => BigInt(message.offset) <= last)
            .map((message) => ({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value }));
          const chunks = chunked(messages, BOOTSTRAP_CHUNK);
          // All chunks go to the verifier threads at once; each is applied, in offset order, as its answers come back.
          const checks = chunks.map((chunk) => checkEventMessages(chunk, checkAll, accepts));
          for (const check of checks) check.catch(() => undefined); // awaited in turn below, unless we leave early
          for (const [n, chunk] of chunks.entries()) {
            if (!isRunning() || isStale()) {
              leftEarly.add(`${topic}/${partition}`);
              return;
            }
            const screened = await checks[n];
            await serially(() => applyScreened(store, screened, result, options.onInvalidEvent));
            reached(topic, partition, chunk[chunk.length - 1].offset);
            await heartbeat();
          }
        },
      });

      const timeoutMs = options.timeoutMs ?? 300_000;
      const timer = setTimeout(
        () => fail(new Error(`bootstrap did not reach the end offsets within ${timeoutMs} ms; unfinished: ${[...remaining].join(', ')}`)),
        timeoutMs,
      );
      try {
        await finished;
      } finally {
        clearTimeout(timer);
      }
      await store.flush?.();
      return result;
    } finally {
      if (consumer) await this.disconnectConsumer(consumer);
      await pool?.close().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      this.admins.delete(admin);
    }
  }

  /** Sends the checksum buckets of the ACTIVE entries; the registry answers which buckets differ from its view. */
  async reconcile(store: RestrictionStore): Promise<ReconcileResult> {
    const digests = await activeDigests(store);
    const differing = await this.restClient().reconcile(digests);
    return {
      differingBuckets: [...differing].sort((a, b) => a - b),
      activeEntries: digests.reduce((sum, digest) => sum + digest.count, 0),
      bucketsSent: digests.length,
    };
  }

  /** The registry's authoritative items of one bucket (all pages). */
  async fetchBucket(bucket: number, options: { pageSize?: number } = {}): Promise<AuthoritativeItem[]> {
    const items: AuthoritativeItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.restClient().restrictionsPage({ bucket, cursor, limit: options.pageSize ?? 500 });
      items.push(...page.items);
      if (page.nextCursor !== null && page.nextCursor === cursor) throw new Error(`registry paging of bucket ${bucket} does not advance`);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  /** Refetches the given buckets from the registry and applies their events (verified, newer only). */
  async repair(store: RestrictionStore, buckets: Iterable<number>, options: RepairOptions = {}): Promise<RepairResult> {
    await this.ensureServiceKeys();
    const wanted = [...new Set(buckets)].sort((a, b) => a - b);
    const result: RepairResult = {
      buckets: wanted,
      fetched: 0,
      applied: 0,
      stale: 0,
      duplicate: 0,
      invalid: 0,
      notApplicable: 0,
      receiptsSent: 0,
      orphans: [],
      dropped: 0,
    };
    const toConfirm: ReceiptRequest[] = [];
    for (const bucket of wanted) {
      const items = await this.fetchBucket(bucket, { pageSize: options.pageSize });
      const listed = new Set<string>();
      for (const item of items) {
        result.fetched++;
        listed.add(item.restrictionId);
        const checked = await checkEventMessage(
          { topic: `rest:bucket/${bucket}`, partition: -1, offset: '-1', key: item.restrictionId, value: JSON.stringify(item.event) },
          this.keyRing,
        );
        if (!checked.valid || checked.event.data.version !== item.version) {
          result.invalid++;
          if (!checked.valid) await Promise.resolve(options.onInvalidEvent?.(checked.invalid)).catch(() => undefined);
          continue;
        }
        const { event } = checked;
        if (!this.kinds.includes(event.data.kind)) {
          result.notApplicable++;
          continue;
        }
        const applied: ApplyResult = await applyIfNewer(store, event);
        result[applied]++;
        if (applied === 'applied') {
          toConfirm.push({ restrictionId: event.data.id, version: event.data.version, eventId: event.id, outcome: 'APPLIED' });
        }
      }
      for (const entry of await entriesInBuckets(store, [bucket])) {
        if (entry.status !== 'ACTIVE' || listed.has(entry.id)) continue;
        result.orphans.push(entry.id);
        if (options.dropOrphans) {
          await store.delete(entry.id);
          result.dropped++;
        }
      }
    }
    await store.flush?.();
    if (options.confirm ?? true) {
      for (const request of toConfirm) {
        await this.sendReceipt(request);
        result.receiptsSent++;
      }
    }
    return result;
  }

  /** Rejections of this partner's receipts (the topic is shared; only messages keyed by our partner id are passed on). */
  async rejections(handler: (rejection: ReceiptRejection) => void | Promise<void>, options: { fromBeginning?: boolean } = {}): Promise<void> {
    const consumer = this.trackConsumer(this.kafka.consumer({ groupId: `${this.groupId}.rejections`, maxWaitTimeInMs: 1000 }), 'rejections');
    await consumer.connect();
    await consumer.subscribe({ topics: [rejectedReceiptsTopic(this.topicPrefix)], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== this.partnerId || !message.value) return;
        let rejection: ReceiptRejection;
        try {
          rejection = JSON.parse(message.value.toString());
        } catch {
          return;
        }
        await handler(rejection);
      },
    });
  }

  /** Stops consumers (letting the message in hand finish) and disconnects the producer. */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => this.disconnectConsumer(consumer)));
    await Promise.all([...this.admins].map((admin) => admin.disconnect().catch(() => undefined)));
    this.admins.clear();
    await this.resetProducer();
  }

  private async ensureServiceKeys(): Promise<void> {
    if (this.keyRing.keyIds.length === 0) await this.keyRing.refresh();
    if (this.keyRing.keyIds.length === 0) throw new Error('no service event-signing keys known; cannot verify events');
  }

  private restClient(): RegistryClient {
    if (!this.registry) throw new Error('registryUrl is not configured');
    return this.registry;
  }

  private trackConsumer(consumer: Consumer, where: 'subscribe' | 'rejections' | 'bootstrap', onFatal?: (error: unknown) => void): Consumer {
    this.consumers.add(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const fatal = !payload.restart;
      this.config.onError?.(payload.error, { where, fatal });
      if (fatal) onFatal?.(payload.error);
    });
    return consumer;
  }

  private trackAdmin(admin: Admin): Admin {
    this.admins.add(admin);
    return admin;
  }

  private async disconnectConsumer(consumer: Consumer): Promise<void> {
    this.consumers.delete(consumer);
    await consumer.disconnect().catch(() => undefined);
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      try {
        await producer.connect();
      } catch (error) {
        this.producer = undefined;
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      return producer;
    })();
    return this.producer;
  }

  private async resetProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    const connected = await producer?.catch(() => undefined);
    await connected?.disconnect().catch(() => undefined);
  }
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

async function applyScreened(
  store: RestrictionStore,
  screened: readonly ScreenedMessage[],
  result: BootstrapResult,
  onInvalidEvent: BootstrapOptions['onInvalidEvent'],
): Promise<void> {
  for (const checked of screened) {
    result.messages++;
    if ('notApplicable' in checked) {
      result.notApplicable++;
    } else if (!checked.valid) {
      result.invalid++;
      await Promise.resolve(onInvalidEvent?.(checked.invalid)).catch(() => undefined);
    } else {
      result[await applyIfNewer(store, checked.event)]++;
    }
  }
}
