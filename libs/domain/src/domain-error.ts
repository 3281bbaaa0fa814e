// Stable machine codes for every rule the domain enforces. The registry maps
// each code to an HTTP status once, in its exception filter.
export const DOMAIN_ERROR_CODES = [
  'INVALID_RESIDENT_ID',
  'INVALID_USCC',
  'INVALID_PASSPORT',
  'IDENTIFIER_TYPE_MISMATCH',
  'SUBJECT_IS_MINOR',
  'GROUND_REQUIRED',
  'GROUND_NOT_ALLOWED',
  'EXCLUSION_ATTESTATION_REQUIRED',
  'TERM_NOT_ALLOWED_FOR_GROUND',
  'EXTENSION_OUT_OF_RANGE',
  'GRACE_PERIOD_OUT_OF_RANGE',
  'MEASURES_NOT_ALLOWED',
  'MEASURES_REQUIRED',
  'AFFECTED_PERSON_ROLE_NOT_ALLOWED',
  'AFFECTED_PERSONS_REQUIRED',
  'EXPIRY_NOT_ALLOWED',
  'INVALID_DATE_RANGE',
  'RELISTING_BARRED',
  'ALREADY_LISTED',
  'LIFT_REASON_NOT_ALLOWED',
  'LIFT_REASON_RESERVED',
  'ALREADY_LIFTED',
  'PERMISSION_NOT_ALLOWED',
  'FIELD_NOT_AMENDABLE',
  /** A listed debtor shall stay consumption-restricted (Consumption Rules Art. 1). */
  'LINKED_LISTING_ACTIVE',
  'FIELD_REQUIRED',
  'FIELD_NOT_ALLOWED',
  'INVALID_DATE',
  'INVALID_MEASURES',
  'GRACE_PERIOD_NOT_ALLOWED',
  // Correction requests (List Rules Arts. 11–12).
  'CORRECTION_KIND_NOT_ALLOWED',
  'CORRECTION_RESTRICTION_LIFTED',
  'CORRECTION_ALREADY_OPEN',
  'CORRECTION_INVALID_TRANSITION',
  'RECONSIDERATION_WINDOW_CLOSED',
  'NO_HIGHER_COURT',
  'CARRY_OUT_ACTION_MISMATCH',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** JSON path of the offending input field, e.g. `subject.identifier.value`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
