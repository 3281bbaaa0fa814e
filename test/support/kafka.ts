// A plain kafkajs consumer used as an independent observer of what the registry published.
import { randomBytes } from 'node:crypto';
import type { RestrictionEvent } from '@cd/contracts';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

export interface SeenMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: RestrictionEvent;
  headers: Record<string, string>;
}

export class TopicObserver {
  readonly messages: SeenMessage[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(topics: string[], brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')): Promise<TopicObserver> {
    const kafka = new Kafka({ clientId: 'test-observer', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `observer-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
    const observer = new TopicObserver(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        observer.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null'),
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
      if (Date.now() > deadline) throw new Error(`timed out waiting for messages; saw ${this.messages.length}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
