import { signDocument, verifySigned, type KeyInput } from './signing';

export const RECEIPT_OUTCOMES = ['APPLIED', 'NOT_APPLICABLE', 'FAILED'] as const;
export type ReceiptOutcome = (typeof RECEIPT_OUTCOMES)[number];

/** A partner's signed confirmation that it applied (or could not apply) one version of a restriction. */
export interface Receipt {
  partnerId: string;
  restrictionId: string;
  version: number;
  /** The CloudEvent id the partner acted on. */
  eventId: string;
  outcome: ReceiptOutcome;
  /** Required when outcome is FAILED. */
  reason?: string;
  /** The partner's own reference (ticket, case or job id). */
  partnerReference?: string;
  /** When the partner applied it (ISO-8601). */
  time: string;
  /** Id of the partner's registered Ed25519 key that signed this receipt. */
  keyId: string;
  signature: string;
}

export type UnsignedReceipt = Omit<Receipt, 'signature'>;

export function signReceipt(receipt: UnsignedReceipt, privateKey: KeyInput): Receipt {
  return { ...receipt, signature: signDocument(receipt, privateKey) };
}

export function verifyReceipt(receipt: Receipt, publicKey: KeyInput): boolean {
  return verifySigned(receipt, publicKey);
}

export const REJECTION_REASONS = [
  'MALFORMED',
  'UNKNOWN_PARTNER',
  'PARTNER_INACTIVE',
  'UNKNOWN_KEY',
  'BAD_SIGNATURE',
  'NOT_ROUTED',
  'VERSION_NOT_PUBLISHED',
  'EVENT_MISMATCH',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Published to the rejected-receipts topic, keyed by partner id (or "unknown"). */
export interface ReceiptRejection {
  partnerId: string | null;
  reason: RejectionReason;
  detail: string;
  /** The receipt as received: the parsed object; on Kafka the raw text when it was not JSON; null for a REST body that could not be read. */
  receipt: unknown;
  rejectedAt: string;
}
