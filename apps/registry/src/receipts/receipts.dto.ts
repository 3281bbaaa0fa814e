import { RECEIPT_OUTCOMES, type ReceiptOutcome } from '@cd/contracts';
import { PARTNER_ID_PATTERN } from '@cd/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import { OptionalNotNull } from '../common/validation';

// The same rules as libs/contracts/schemas/receipt.v1.schema.json (receipts.dto.spec.ts holds them
// side by side). Lengths count code points, as JSON Schema and the utf8mb4 columns do.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const REASON = /^[\s\S]{1,500}$/u;
const PARTNER_REFERENCE = /^[\s\S]{1,200}$/u;

/** A partner's signed receipt (same body on the receipts topic and on POST /v1/receipts). */
export class ReceiptDto {
  @ApiProperty({ example: 'bank-icbc-beijing', pattern: PARTNER_ID_PATTERN.source })
  @IsString()
  @Matches(PARTNER_ID_PATTERN, { message: 'partnerId is not a partner id' })
  partnerId!: string;

  @ApiProperty() @IsString() @Matches(UUID, { message: 'restrictionId must be a lower-case UUID' }) restrictionId!: string;
  @ApiProperty({ minimum: 1, maximum: 4294967295 }) @IsInt() @Min(1) @Max(4294967295) version!: number;
  @ApiProperty() @IsString() @Matches(UUID, { message: 'eventId must be a lower-case UUID' }) eventId!: string;
  @ApiProperty({ enum: RECEIPT_OUTCOMES }) @IsIn(RECEIPT_OUTCOMES) outcome!: ReceiptOutcome;

  @ApiPropertyOptional({ description: 'Required when outcome is FAILED; 1–500 characters', maxLength: 500 })
  @ValidateIf((o: ReceiptDto) => o.outcome === 'FAILED' || o.reason !== undefined)
  @IsString()
  @Matches(REASON, { message: 'reason must be 1–500 characters' })
  reason?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @OptionalNotNull()
  @IsString()
  @Matches(PARTNER_REFERENCE, { message: 'partnerReference must be 1–200 characters' })
  partnerReference?: string;

  @ApiProperty({ description: 'RFC 3339 instant (upper-case T, Z or ±hh:mm), not before 2000 nor more than a day ahead', example: '2026-06-02T10:03:04.567+08:00' })
  @IsString()
  @Matches(TIME, { message: 'time must be an RFC 3339 instant' })
  @IsISO8601({ strict: true })
  time!: string;

  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'keyId is not valid' }) keyId!: string;
  @ApiProperty({ description: 'Ed25519 signature (base64) of the canonical JSON of the receipt without this field' })
  @IsString()
  @Matches(/^[A-Za-z0-9+/]{86}==$/, { message: 'signature must be a base64 Ed25519 signature' })
  signature!: string;
}
