import type { RejectionReason } from '@cd/contracts';

/** The registry answered with an error other than a receipt rejection (problem+json when it sent one). */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly problem?: unknown,
  ) {
    super(message);
    this.name = 'RegistryError';
  }

  /** 5xx, 408 and 429 may succeed when retried; other 4xx will not without a change. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** The registry refused a receipt for good (422 RECEIPT_REJECTED); retrying the same receipt will not help. */
export class ReceiptRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`receipt rejected: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'ReceiptRejectedError';
  }
}
