import type { RestrictionKind } from '@cd/domain';

export const DEFAULT_TOPIC_PREFIX = 'credit-discipline';

const KIND_TOPIC: Record<RestrictionKind, string> = {
  DISHONEST_LISTING: 'dishonest-listing.v1',
  CONSUMPTION_RESTRICTION: 'consumption-restriction.v1',
  EXIT_BAN: 'exit-ban.v1',
};

export function restrictionTopic(kind: RestrictionKind, prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}.${KIND_TOPIC[kind]}`;
}

export function receiptsTopic(prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}.receipts.v1`;
}

export function rejectedReceiptsTopic(prefix = DEFAULT_TOPIC_PREFIX): string {
  return `${prefix}.receipts-rejected.v1`;
}

export interface TopicSpec {
  name: string;
  cleanupPolicy: 'compact' | 'delete';
}

export function allTopics(prefix = DEFAULT_TOPIC_PREFIX): TopicSpec[] {
  return [
    ...(Object.keys(KIND_TOPIC) as RestrictionKind[]).map((kind) => ({
      name: restrictionTopic(kind, prefix),
      cleanupPolicy: 'compact' as const,
    })),
    { name: receiptsTopic(prefix), cleanupPolicy: 'delete' },
    { name: rejectedReceiptsTopic(prefix), cleanupPolicy: 'delete' },
  ];
}
