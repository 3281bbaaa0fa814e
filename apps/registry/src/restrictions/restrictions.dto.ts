import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import {
  CONSUMPTION_MEASURES,
  IDENTIFIER_TYPES,
  INITIATORS,
  LIFT_REASONS,
  LISTING_GROUNDS,
  PERSON_ROLES,
  RESTRICTION_KINDS,
  RESTRICTION_STATUSES,
  SEXES,
  SUBJECT_TYPES,
  type ConsumptionMeasure,
  type IdentifierType,
  type Initiator,
  type LiftReason,
  type ListingGround,
  type PersonRole,
  type RestrictionKind,
  type RestrictionStatus,
  type Sex,
  type SubjectType,
} from '@cd/domain';
import { Type } from 'class-transformer';
import { OptionalNotNull } from '../common/validation';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

// Wire format of the court API. Shape and types are checked here; the legal
// rules (checksums, minors, terms, roles per kind) are checked by libs/domain.

const ISO_INSTANT = { strict: true, strictSeparator: true } as const;
const DATE_ONLY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class IdentifierDto {
  @ApiProperty({ enum: IDENTIFIER_TYPES, example: 'RESIDENT_ID' })
  @IsIn(IDENTIFIER_TYPES)
  type!: IdentifierType;

  @ApiProperty({ example: '11010519491231002X', description: 'Resident ID (GB 11643), unified social credit code (GB 32100) or passport number.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  value!: string;

  @ApiPropertyOptional({ example: 'CHN', description: 'Passports: issuing country, ISO 3166-1 alpha-3.' })
  @OptionalNotNull()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code' })
  country?: string;
}

export class SubjectDto {
  @ApiProperty({ enum: SUBJECT_TYPES })
  @IsIn(SUBJECT_TYPES)
  type!: SubjectType;

  @ApiProperty({ example: '张三' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: IdentifierDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  identifier!: IdentifierDto;

  @ApiPropertyOptional({ enum: SEXES })
  @OptionalNotNull()
  @IsIn(SEXES)
  sex?: Sex;

  @ApiPropertyOptional({ example: '李四', description: 'Organisations: legal representative (List Rules Art. 6).' })
  @OptionalNotNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  legalRepresentative?: string;
}

export class AffectedPersonDto {
  @ApiProperty({ enum: PERSON_ROLES })
  @IsIn(PERSON_ROLES)
  role!: PersonRole;

  @ApiProperty({ example: '李四' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ type: IdentifierDto })
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  identifier!: IdentifierDto;
}

export class EnforcementBasisDto {
  @ApiProperty({ example: '北京市海淀区人民法院', description: '执行依据的制作单位' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  issuer!: string;

  @ApiProperty({ example: '(2023)京0108民初12345号', description: '执行依据的文号' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  documentNumber!: string;
}

export class CaseDto {
  @ApiProperty({ example: '(2024)京0108执6789号', description: '执行案号' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  caseNumber!: string;

  @ApiProperty({ type: EnforcementBasisDto })
  @IsObject()
  @ValidateNested()
  @Type(() => EnforcementBasisDto)
  enforcementBasis!: EnforcementBasisDto;

  @ApiProperty({ example: '2024-03-01', description: '立案日期 (YYYY-MM-DD)' })
  @IsString()
  @Matches(DATE_ONLY, { message: 'filingDate must be a date YYYY-MM-DD' })
  filingDate!: string;
}

export class ImposeRestrictionDto {
  @ApiProperty({ enum: RESTRICTION_KINDS })
  @IsIn(RESTRICTION_KINDS)
  kind!: RestrictionKind;

  @ApiProperty({ type: SubjectDto })
  @IsObject()
  @ValidateNested()
  @Type(() => SubjectDto)
  subject!: SubjectDto;

  @ApiPropertyOptional({ type: [AffectedPersonDto] })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AffectedPersonDto)
  affectedPersons?: AffectedPersonDto[];

  @ApiProperty({ type: CaseDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CaseDto)
  case!: CaseDto;

  @ApiPropertyOptional({ enum: INITIATORS, default: 'EX_OFFICIO' })
  @OptionalNotNull()
  @IsIn(INITIATORS)
  initiatedBy?: Initiator;

  @ApiPropertyOptional({ enum: LISTING_GROUNDS, description: 'Dishonest listings: exactly one ground (List Rules Art. 1).' })
  @OptionalNotNull()
  @IsIn(LISTING_GROUNDS)
  ground?: ListingGround;

  @ApiPropertyOptional({ minimum: 1, maximum: 3, description: 'Extension of the 2-year term for serious cases (List Rules Art. 2).' })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(100)
  extensionYears?: number;

  @ApiPropertyOptional({ description: 'Ground ABLE_BUT_REFUSES: the court attests none of the Art. 3 exclusions applies.' })
  @OptionalNotNull()
  @IsBoolean()
  noExclusionAttested?: boolean;

  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(2000) obligation?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(2000) performanceStatus?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(2000) dishonestConduct?: string;

  @ApiPropertyOptional({ enum: CONSUMPTION_MEASURES, isArray: true, description: 'Consumption restrictions (and a listing\'s linked one): default all.' })
  @OptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CONSUMPTION_MEASURES, { each: true })
  measures?: ConsumptionMeasure[];

  @ApiProperty({ example: '2024-06-01T02:00:00.000Z' })
  @IsISO8601(ISO_INSTANT)
  decidedAt!: string;

  @ApiPropertyOptional() @OptionalNotNull() @IsISO8601(ISO_INSTANT) effectiveAt?: string;

  @ApiPropertyOptional({ description: 'Grace period: neither public nor distributed before this instant (1–3 months after the decision).' })
  @OptionalNotNull()
  @IsISO8601(ISO_INSTANT)
  publishAfter?: string;

  @ApiPropertyOptional({ description: 'Exit bans: optional end of the ban.' })
  @OptionalNotNull()
  @IsISO8601(ISO_INSTANT)
  expiresAt?: string;
}

export class AmendSubjectDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(200) name?: string;

  @ApiPropertyOptional({ type: IdentifierDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  identifier?: IdentifierDto;

  @ApiPropertyOptional({ enum: SEXES }) @OptionalNotNull() @IsIn(SEXES) sex?: Sex;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(200) legalRepresentative?: string;
}

export class AmendCaseDto {
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(100) caseNumber?: string;

  @ApiPropertyOptional({ type: EnforcementBasisDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => EnforcementBasisDto)
  enforcementBasis?: EnforcementBasisDto;

  @ApiPropertyOptional() @OptionalNotNull() @IsString() @Matches(DATE_ONLY, { message: 'filingDate must be a date YYYY-MM-DD' }) filingDate?: string;
}

/** Correction of recorded information (PATCH, If-Match required). */
export class AmendRestrictionDto extends PickType(ImposeRestrictionDto, [
  'affectedPersons',
  'ground',
  'noExclusionAttested',
  'obligation',
  'performanceStatus',
  'dishonestConduct',
  'measures',
  'effectiveAt',
] as const) {
  @ApiPropertyOptional({ type: AmendSubjectDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => AmendSubjectDto)
  subject?: AmendSubjectDto;

  @ApiPropertyOptional({ type: AmendCaseDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => AmendCaseDto)
  case?: AmendCaseDto;

  // Unlike the rest, these three can be cleared: null removes the extension, the grace period or the end of a ban.
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(100)
  extensionYears?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsISO8601(ISO_INSTANT)
  publishAfter?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsISO8601(ISO_INSTANT)
  expiresAt?: string | null;
}

export class LiftRestrictionDto {
  @ApiProperty({ enum: LIFT_REASONS, description: 'Must be valid for the restriction kind; TERM_EXPIRED is reserved to the service.' })
  @IsIn(LIFT_REASONS)
  reason!: LiftReason;

  @ApiPropertyOptional() @OptionalNotNull() @IsString() @MaxLength(2000) note?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsISO8601(ISO_INSTANT) liftedAt?: string;

  @ApiPropertyOptional({ description: 'Lifting a listing: also lift its linked consumption restriction, in the same transaction.' })
  @OptionalNotNull()
  @IsBoolean()
  includeLinked?: boolean;
}

export class GrantPermissionDto {
  @ApiProperty({ enum: CONSUMPTION_MEASURES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CONSUMPTION_MEASURES, { each: true })
  measures!: ConsumptionMeasure[];

  @ApiProperty() @IsISO8601(ISO_INSTANT) validFrom!: string;
  @ApiProperty() @IsISO8601(ISO_INSTANT) validUntil!: string;

  @ApiProperty({ example: '赴外地就医' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({ type: IdentifierDto, description: "An organisation's person: private consumption with personal funds." })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => IdentifierDto)
  personIdentifier?: IdentifierDto;
}

export class SearchRestrictionsQuery {
  @ApiPropertyOptional({ enum: RESTRICTION_KINDS }) @OptionalNotNull() @IsIn(RESTRICTION_KINDS) kind?: RestrictionKind;
  @ApiPropertyOptional({ enum: RESTRICTION_STATUSES }) @OptionalNotNull() @IsIn(RESTRICTION_STATUSES) status?: RestrictionStatus;
  @ApiPropertyOptional({ description: "Subject's identifier (resident ID, credit code, passport)" }) @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(32) idNumber?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsString() @IsNotEmpty() @MaxLength(100) caseNumber?: string;
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' }) @OptionalNotNull() @IsString() @Matches(/^[0-9a-f-]{36}$/, { message: 'cursor is not valid' }) cursor?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @OptionalNotNull() @Matches(/^(?:[1-9]\d?|1\d\d|200)$/, { message: 'limit must be an integer 1–200' }) limit?: string;
}
