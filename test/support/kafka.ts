// A plain kafkajs consumer used as an independent observer of what the registry published.
import { randomBytes } from 'node:crypto';
import { validateReceipt, validateReceiptRejection, validateRestrictionEvent, type RestrictionEvent, type SchemaValidationResult } from '@cd/contracts';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface SeenMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: RestrictionEvent;
  headers: Record<string, string>;
}

/** The published JSON Schema a message of the topic must conform to. */
function validatorFor(topic: string): (value: unknown) => SchemaValidationResult {
  if (topic.endsWith('.receipts-rejected.v1')) return validateReceiptRejection;
  if (topic.endsWith('.receipts.v1')) return validateReceipt;
  return validateRestrictionEvent;
}

/**
 * Every message is checked against the published JSON Schemas (restriction events, receipts,
 * receipt rejections) as it arrives; one that is not JSON counts as a violation too. waitFor
 * fails as soon as one does not conform, and so does stop(): a suite that stops its observer
 * cannot pass with a non-conforming message on the wire, whether or not it waited for it.
 */
export class TopicObserver {
  readonly messages: SeenMessage[] = [];
  readonly schemaViolations: string[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: string[], brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')): Promise<TopicObserver> {
    const kafka = new Kafka({ clientId: 'test-observer', brokers, logLevel: logLevel.NOTHING });
    await waitForLeaders(kafka, topics);
    const consumer = kafka.consumer({ groupId: `observer-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
    const observer = new TopicObserver(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        let value: RestrictionEvent;
        try {
          value = JSON.parse(message.value?.toString() ?? 'null');
        } catch (error) {
          observer.schemaViolations.push(`${topic}@${message.offset}: not JSON (${(error as Error).message})`);
          return;
        }
        const check = validatorFor(topic)(value);
        if (!check.valid) observer.schemaViolations.push(`${topic}@${message.offset}: ${check.errors.join('; ')}`);
        observer.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ''])),
        });
      },
    });
    return observer;
  }

  forKey(key: string): SeenMessage[] {
    return this.messages.filter((m) => m.key === key);
  }

  /** Waits until the predicate holds over what has been seen (polling; fails after the timeout). */
  async waitFor(predicate: (messages: SeenMessage[]) => boolean, timeoutMs = 60000): Promise<SeenMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      this.assertConforming();
      if (Date.now() > deadline) throw new Error(`timed out waiting for messages; saw ${this.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.assertConforming();
    return this.messages;
  }

  assertConforming(): void {
    if (this.schemaViolations.length > 0) throw new Error(`messages violate the JSON Schemas:\n${this.schemaViolations.join('\n')}`);
  }

  /** Disconnects, then fails if any message seen (waited for or not) violated its schema. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
    this.assertConforming();
  }
}

/** A topic created a moment ago may not have partition leaders yet; subscribing then can crash the consumer. */
async function waitForLeaders(kafka: Kafka, topics: string[], timeoutMs = 30000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch {
        // not there yet
      }
      if (Date.now() > deadline) throw new Error(`topics without partition leaders: ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
