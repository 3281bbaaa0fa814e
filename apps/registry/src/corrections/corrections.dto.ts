import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CARRY_OUT_ACTIONS,
  CORRECTION_DECISIONS,
  CORRECTION_DELETION_REASONS,
  CORRECTION_GROUNDS,
  CORRECTION_STATUSES,
  LIFT_REASONS,
  type CarryOutAction,
  type CorrectionDecision,
  type CorrectionGround,
  type CorrectionStatus,
  type LiftReason,
} from '@cd/domain';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '../common/validation';
import { AmendRestrictionDto } from '../restrictions/restrictions.dto';

// Wire format of the correction API (List Rules Arts. 11–12). Shape only; the
// procedure's rules (who, when, which state) are checked by libs/domain.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOT_BLANK = /\S/;
const TEXT_MAX = 5000;

export class FileCorrectionDto {
  @ApiProperty({ description: 'The dishonest listing to correct; its subject must be the caller.' })
  @IsString()
  @Matches(UUID, { message: 'restrictionId must be a lower-case UUID' })
  restrictionId!: string;

  @ApiProperty({ enum: CORRECTION_GROUNDS, description: 'List Rules Art. 11: should not be listed / information wrong / should already be deleted.' })
  @IsIn(CORRECTION_GROUNDS)
  ground!: CorrectionGround;

  @ApiProperty({ example: '本人已于2026年3月1日全部履行判决确定的义务。' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'statement must not be blank' })
  @MaxLength(TEXT_MAX)
  statement!: string;
}

export class FileReconsiderationDto {
  @ApiProperty({ description: 'Why the rejection is wrong; heard by the next higher court.' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'statement must not be blank' })
  @MaxLength(TEXT_MAX)
  statement!: string;
}

export class DecisionDto {
  @ApiProperty({ enum: CORRECTION_DECISIONS })
  @IsIn(CORRECTION_DECISIONS)
  decision!: CorrectionDecision;

  @ApiProperty({ description: 'Reasons, served on the debtor.' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  @MaxLength(TEXT_MAX)
  reason!: string;
}

export class CarryOutDto {
  @ApiProperty({ enum: CARRY_OUT_ACTIONS, description: 'SHOULD_NOT_BE_LISTED → REVOKE, INFORMATION_WRONG → AMEND, SHOULD_BE_DELETED → DELETE.' })
  @IsIn(CARRY_OUT_ACTIONS)
  action!: CarryOutAction;

  @ApiPropertyOptional({ type: AmendRestrictionDto, description: 'AMEND: the corrected fields, as for PATCH /v1/restrictions/{id}.' })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => AmendRestrictionDto)
  amend?: AmendRestrictionDto;

  @ApiPropertyOptional({ enum: CORRECTION_DELETION_REASONS, description: 'DELETE: the List Rules Art. 10 reason (or EARLY_DELETION).' })
  @OptionalNotNull()
  @IsIn(LIFT_REASONS)
  liftReason?: LiftReason;

  @ApiPropertyOptional({ description: 'REVOKE/DELETE: recorded on the restriction as its lift note.' })
  @OptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ description: 'REVOKE/DELETE: also lift the linked consumption restriction, in the same transaction.' })
  @OptionalNotNull()
  @IsBoolean()
  includeLinked?: boolean;
}

export class ListCorrectionsQuery {
  @ApiPropertyOptional({ enum: CORRECTION_STATUSES }) @OptionalNotNull() @IsIn(CORRECTION_STATUSES) status?: CorrectionStatus;
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only requests a court has not acted on by the due time.' })
  @OptionalNotNull()
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' }) @OptionalNotNull() @IsString() @Matches(UUID, { message: 'cursor is not valid' }) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @OptionalNotNull() @Matches(/^(?:[1-9]\d?|1\d\d|200)$/, { message: 'limit must be an integer 1–200' }) limit?: string;
}
