import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '../common/validation';

export class CurrentSetQuery {
  @ApiProperty({ minimum: 0, maximum: 255 }) @Matches(/^(?:\d|[1-9]\d|1\d\d|2[0-4]\d|25[0-5])$/, { message: 'bucket must be an integer 0–255' }) bucket!: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Matches(/^[0-9a-f-]{36}$/, { message: 'cursor is not valid' }) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 2000 }) @OptionalNotNull() @Matches(/^(?:[1-9]\d{0,2}|1\d{3}|2000)$/, { message: 'limit must be an integer 1–2000' }) limit?: string;
}

export class BucketDigestDto {
  @ApiProperty({ minimum: 0, maximum: 255 }) @IsInt() @Min(0) @Max(255) bucket!: number;
  @ApiProperty() @IsInt() @Min(0) count!: number;
  @ApiProperty({ description: '16 hex digits: XOR of the first 64 bits of SHA-256("<id>:<version>")' })
  @IsString()
  @Matches(/^[0-9a-fA-F]{16}$/, { message: 'checksum must be 16 hex digits' })
  checksum!: string;
}

export class ReconciliationDto {
  @ApiProperty({ type: [BucketDigestDto], description: 'Buckets not sent count as empty' })
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => BucketDigestDto)
  buckets!: BucketDigestDto[];
}
