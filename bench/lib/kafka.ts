// Raw kafkajs helpers for baselines and test traffic: the same producer settings as the
// relay (idempotent, one request in flight, acks=all, explicit murmur2 partitions).
import { partitionForKey, type TopicSpec } from '@cd/contracts';
import { Kafka, logLevel, type Producer } from 'kafkajs';

export interface RawMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export function rawKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 30000 });
}

export async function ensureTopics(kafka: Kafka, topics: TopicSpec[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: t.cleanupPolicy }] })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30000 });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}

/** The relay's producer configuration. */
export async function relayLikeProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** Sends like KafkaMessageBus.publish: one sendBatch per call, messages grouped by topic, explicit partitions, acks=-1. */
export async function sendBatch(producer: Producer, messages: RawMessage[], partitions: number): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string; partition: number; headers?: Record<string, string> }[]>();
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? [];
    list.push({ key: m.key, value: m.value, partition: partitionForKey(m.key, partitions), headers: m.headers });
    byTopic.set(m.topic, list);
  }
  await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
}

/** Sends everything in sequential batches of batchSize; returns the elapsed milliseconds. */
export async function sendAll(producer: Producer, messages: RawMessage[], partitions: number, batchSize: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < messages.length; i += batchSize) await sendBatch(producer, messages.slice(i, i + batchSize), partitions);
  return performance.now() - start;
}
