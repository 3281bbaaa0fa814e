import { partitionForKey, type TopicSpec } from '@cd/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MessageBus, type DeliveryReceipt, type IncomingMessage, type OutgoingMessage, type Subscription, type TopicPolicyMismatch } from './message-bus';

@Injectable()
export class KafkaMessageBus extends MessageBus {
  private readonly logger = new Logger(KafkaMessageBus.name);
  private readonly kafka: Kafka;
  /** The producer's own client: its timeouts and retries are derived from the relay lease (relayProducerTimeouts). */
  private readonly producerKafka: Kafka;
  private producer?: Producer;
  private readonly partitionCounts = new Map<string, number>();
  private readonly consumers = new Set<Consumer>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.kafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      // The relay owns retry and backoff; the client fails fast so a send stays bounded.
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
      logLevel: logLevel.NOTHING,
    });
    const timeouts = config.relay.producer;
    const retry = { retries: timeouts.retries, initialRetryTime: timeouts.retryBackoffMs, maxRetryTime: timeouts.retryBackoffMs, factor: 0, multiplier: 1 };
    this.producerKafka = new Kafka({
      clientId: config.kafka.clientId,
      brokers: config.kafka.brokers,
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      enforceRequestTimeout: true,
      retry,
      logLevel: logLevel.NOTHING,
    });
  }

  async ensureTopics(topics: TopicSpec[]): Promise<TopicPolicyMismatch[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic: topic.name,
            numPartitions: this.config.kafka.topicPartitions,
            replicationFactor: this.config.kafka.replicationFactor,
            configEntries: [{ name: 'cleanup.policy', value: topic.cleanupPolicy }],
          })),
        });
        this.logger.log(`created topics ${missing.map((t) => t.name).join(', ')}`);
      }
      await this.readPartitionCounts(admin, topics.map((t) => t.name));
      return await this.policyMismatches(admin, topics);
    } finally {
      await admin.disconnect();
    }
  }

  private async policyMismatches(admin: Admin, topics: TopicSpec[]): Promise<TopicPolicyMismatch[]> {
    if (topics.length === 0) return [];
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((topic) => ({ type: ConfigResourceTypes.TOPIC, name: topic.name, configNames: ['cleanup.policy'] })),
    });
    const actual = new Map(resources.map((r) => [r.resourceName, r.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '']));
    return topics
      .map((topic) => ({ topic: topic.name, expected: topic.cleanupPolicy, actual: actual.get(topic.name) ?? '' }))
      .filter((check) => check.actual.split(',').map((p) => p.trim()).sort().join(',') !== check.expected);
  }

  /**
   * A topic created a moment ago can be unknown to the metadata cache for a short while
   * (UNKNOWN_TOPIC_OR_PARTITION, or partitions without a leader): retry briefly before failing.
   */
  private async readPartitionCounts(admin: Admin, names: string[], attempts = 40): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: names });
        if (metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          for (const topic of metadata.topics) this.partitionCounts.set(topic.name, topic.partitions.length);
          return;
        }
      } catch (error) {
        if (attempt >= attempts || (error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      }
      if (attempt >= attempts) throw new Error(`topics without partition leaders: ${names.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async publish(messages: OutgoingMessage[]): Promise<DeliveryReceipt[]> {
    if (messages.length === 0) return [];
    const producer = await this.connectedProducer();
    await this.learnPartitionCounts([...new Set(messages.map((m) => m.topic))].filter((topic) => !this.partitionCounts.has(topic)));
    const byTopic = new Map<string, { key: string; value: string; partition: number; headers?: Record<string, string> }[]>();
    const perPartition = new Map<string, number>();
    const placed = messages.map((message) => {
      const partitions = this.partitionCounts.get(message.topic);
      if (!partitions) throw new Error(`topic ${message.topic} does not exist`);
      const partition = partitionForKey(message.key, partitions);
      const list = byTopic.get(message.topic) ?? [];
      list.push({ key: message.key, value: message.value, partition, headers: message.headers });
      byTopic.set(message.topic, list);
      const slot = `${message.topic}/${partition}`;
      const index = perPartition.get(slot) ?? 0;
      perPartition.set(slot, index + 1);
      return { topic: message.topic, partition, index };
    });
    try {
      const results = await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
      const base = new Map(results.map((r) => [`${r.topicName}/${r.partition}`, BigInt(r.baseOffset ?? '-1')]));
      return placed.map(({ topic, partition, index }) => {
        const offset = base.get(`${topic}/${partition}`);
        if (offset === undefined || offset < 0n) throw new Error(`no acknowledgement for ${topic}/${partition}`);
        return { partition, offset: (offset + BigInt(index)).toString() };
      });
    } catch (error) {
      // A fresh idempotent producer after any failure: no half-broken session is reused.
      await this.resetProducer();
      throw error;
    }
  }

  async subscribe(
    topics: string[],
    groupId: string,
    handler: (messages: IncomingMessage[]) => Promise<void>,
    options: { concurrency?: number; maxBatch?: number } = {},
  ): Promise<Subscription> {
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200, retry: { retries: 10 } });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const maxBatch = Math.max(1, options.maxBatch ?? 500);
    await consumer.run({
      // kafkajs commits what was resolved: a run's offsets only after the handler resolved.
      autoCommit: true,
      eachBatchAutoResolve: false,
      // Order holds within a partition; several partitions are handled at once.
      partitionsConsumedConcurrently: Math.max(1, options.concurrency ?? 1),
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let start = 0; start < batch.messages.length; start += maxBatch) {
          if (!isRunning() || isStale()) return;
          const run = batch.messages.slice(start, start + maxBatch);
          await handler(
            run.map((message) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
            })),
          );
          resolveOffset(run[run.length - 1].offset);
          await heartbeat();
        }
      },
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async ping(): Promise<void> {
    // A fresh admin connection without retries: the caller bounds the wait, nothing is shared with the producer.
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect().catch(() => undefined)));
    this.consumers.clear();
    await this.resetProducer();
  }

  /** Topics this instance did not create (another instance did, or an operator): ask the cluster. */
  private async learnPartitionCounts(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const known = topics.filter((topic) => existing.has(topic));
      if (known.length === 0) return;
      await this.readPartitionCounts(admin, known);
    } finally {
      await admin.disconnect();
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.producerKafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    return producer;
  }

  private async resetProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
