// What a partner institution installs: consume the restriction feeds of its kinds,
// verify the service's signatures, apply newer versions only, confirm with signed receipts.
export * from './partner-client';
export * from './event-pipeline';
export * from './apply';
export * from './store';
export * from './file-store';
export * from './key-ring';
export * from './registry-client';
export * from './reconciliation';
export * from './errors';
export * from './verify-pool';

// kafkajs' logging hooks for PartnerClientConfig.kafka, so a partner configures the client through this package alone.
export { logLevel as KafkaLogLevel, type logCreator as KafkaLogCreator } from 'kafkajs';

// The contract types and helpers a partner needs, so it depends on this package alone.
export {
  DEFAULT_TOPIC_PREFIX,
  RECEIPT_OUTCOMES,
  RECONCILIATION_BUCKETS,
  REJECTION_REASONS,
  bucketDigests,
  bucketOf,
  generateSigningKeyPair,
  receiptsTopic,
  rejectedReceiptsTopic,
  restrictionTopic,
  verifyEvent,
  verifyReceipt,
  type BucketDigest,
  type Receipt,
  type ReceiptOutcome,
  type ReceiptRejection,
  type RejectionReason,
  type RestrictionEvent,
  type RestrictionEventData,
} from '@cd/contracts';
export {
  PARTNER_SECTORS,
  RESTRICTION_KINDS,
  SECTOR_DEFAULT_KINDS,
  maskIdentifier,
  type Identifier,
  type PartnerSector,
  type RestrictionKind,
  type RestrictionStatus,
} from '@cd/domain';
