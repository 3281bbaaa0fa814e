import type { TopicSpec } from '@cd/contracts';

// The one seam between the service and its broker. Everything else speaks
// these types; only kafka-message-bus.ts knows kafkajs.

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface DeliveryReceipt {
  partition: number;
  offset: string;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** An existing topic whose cleanup.policy is not the one its spec asks for. */
export interface TopicPolicyMismatch {
  topic: string;
  expected: TopicSpec['cleanupPolicy'];
  actual: string;
}

export abstract class MessageBus {
  /**
   * Creates missing topics with their cleanup policy. Existing topics are left as they are
   * (changing a live topic's policy is an operator's decision); those whose cleanup.policy
   * differs from the spec are returned.
   */
  abstract ensureTopics(topics: TopicSpec[]): Promise<TopicPolicyMismatch[]>;
  /**
   * Sends in order and resolves only after every message was acknowledged by all
   * in-sync replicas; one receipt per message, in input order. Rejects if any failed.
   */
  abstract publish(messages: OutgoingMessage[]): Promise<DeliveryReceipt[]>;
  /**
   * Joins a consumer group. The handler gets runs of consecutive messages of one partition
   * (at most `maxBatch`, in offset order); their offsets are committed only after it resolved,
   * and a handler that throws makes the run be delivered again. One run per partition at a
   * time; `concurrency` partitions at once (default 1).
   */
  abstract subscribe(
    topics: string[],
    groupId: string,
    handler: (messages: IncomingMessage[]) => Promise<void>,
    options?: { concurrency?: number; maxBatch?: number },
  ): Promise<Subscription>;
  /** Reachability for readiness: resolves once the cluster answered a metadata request, rejects otherwise. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}
