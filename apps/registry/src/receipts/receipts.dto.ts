import { RECEIPT_OUTCOMES, type ReceiptOutcome } from '@cd/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsString, Matches, MaxLength, Min, ValidateIf } from 'class-validator';
import { OptionalNotNull } from '../common/validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A partner's signed receipt (same body on the receipts topic and on POST /v1/receipts). */
export class ReceiptDto {
  @ApiProperty({ example: 'bank-icbc-beijing' }) @IsString() @IsNotEmpty() @MaxLength(64) partnerId!: string;
  @ApiProperty() @IsString() @Matches(UUID, { message: 'restrictionId must be a UUID' }) restrictionId!: string;
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) version!: number;
  @ApiProperty() @IsString() @Matches(UUID, { message: 'eventId must be a UUID' }) eventId!: string;
  @ApiProperty({ enum: RECEIPT_OUTCOMES }) @IsIn(RECEIPT_OUTCOMES) outcome!: ReceiptOutcome;

  @ApiPropertyOptional({ description: 'Required when outcome is FAILED' })
  @ValidateIf((o: ReceiptDto) => o.outcome === 'FAILED' || o.reason !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(200) partnerReference?: string;
  @ApiProperty() @IsISO8601({ strict: true }) time!: string;
  @ApiProperty() @IsString() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'keyId is not valid' }) keyId!: string;
  @ApiProperty({ description: 'Ed25519 signature (base64) of the canonical JSON of the receipt without this field' })
  @IsString()
  @Matches(/^[A-Za-z0-9+/]{86}==$/, { message: 'signature must be a base64 Ed25519 signature' })
  signature!: string;
}
