import { DEADLINE_UNITS, PARTNER_ID_PATTERN, PARTNER_SECTORS, RESTRICTION_KINDS, type DeadlineUnit, type PartnerSector, type RestrictionKind } from '@cd/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '../common/validation';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class ReceiptDeadlineDto {
  @ApiProperty({ example: 2 }) @IsInt() @Min(1) @Max(10000) value!: number;
  @ApiProperty({ enum: DEADLINE_UNITS, example: 'WORKING_DAYS' }) @IsIn(DEADLINE_UNITS) unit!: DeadlineUnit;
}

export class PartnerKeyDto {
  @ApiProperty({ example: '2026-01' }) @IsString() @Matches(KEY_ID, { message: 'keyId must be 1–64 of A-Z a-z 0-9 . _ -' }) keyId!: string;

  @ApiProperty({ description: 'Ed25519 public key, SPKI PEM' })
  @IsString()
  @MaxLength(1000)
  @Matches(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/, { message: 'publicKeyPem must be a PEM public key' })
  publicKeyPem!: string;
}

export class RegisterPartnerDto {
  @ApiProperty({ example: 'bank-icbc-beijing' })
  @IsString()
  @Matches(PARTNER_ID_PATTERN, { message: 'id must be 3–64 characters of a-z, 0-9 and -' })
  id!: string;

  @ApiProperty({ example: '中国工商银行北京市分行' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ enum: PARTNER_SECTORS }) @IsIn(PARTNER_SECTORS) sector!: PartnerSector;

  @ApiPropertyOptional({ enum: RESTRICTION_KINDS, isArray: true, description: "Kinds it must enforce; default: the sector's usual kinds" })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(RESTRICTION_KINDS, { each: true })
  kinds?: RestrictionKind[];

  @ApiProperty({ type: ReceiptDeadlineDto }) @IsObject() @ValidateNested() @Type(() => ReceiptDeadlineDto) receiptDeadline!: ReceiptDeadlineDto;

  @ApiProperty({ type: [PartnerKeyDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => PartnerKeyDto)
  publicKeys!: PartnerKeyDto[];
}

export class UpdatePartnerDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;

  @ApiPropertyOptional({ enum: RESTRICTION_KINDS, isArray: true })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(RESTRICTION_KINDS, { each: true })
  kinds?: RestrictionKind[];

  @ApiPropertyOptional({ type: ReceiptDeadlineDto }) @OptionalNotNull() @IsObject() @ValidateNested() @Type(() => ReceiptDeadlineDto) receiptDeadline?: ReceiptDeadlineDto;
  @ApiPropertyOptional() @OptionalNotNull() @IsBoolean() active?: boolean;
}
