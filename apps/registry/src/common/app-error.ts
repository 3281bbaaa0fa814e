// Application-level failures (not legal rules — those are DomainErrors).
// Services throw these; the problem filter alone decides the HTTP shape.
export const APP_ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'COURT_NOT_REGISTERED',
  'RESTRICTION_NOT_FOUND',
  'PARTNER_NOT_FOUND',
  'PARTNER_EXISTS',
  'PARTNER_KEY_EXISTS',
  'PARTNER_KEY_NOT_FOUND',
  'RECEIPT_REJECTED',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PRECONDITION_REQUIRED',
  'STALE_VERSION',
  'IDEMPOTENCY_KEY_REUSED',
  'CONCURRENT_UPDATE',
  'RATE_LIMITED',
  'CORRECTION_NOT_FOUND',
  /** A deadline falls in a year the working-day calendar has no holiday data for. */
  'CALENDAR_NOT_COVERED',
  /** Reads of full identifiers are refused while they cannot be audited. */
  'AUDIT_UNAVAILABLE',
  /** More requests in progress than the instance admits: try again shortly (Retry-After). */
  'OVERLOADED',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    /** Extra members for the problem document (RFC 9457 extensions), e.g. a rejection reason. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}
