import { DOMAIN_ERROR_CODES } from '@cd/domain';
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { APP_ERROR_CODES } from './app-error';

// The wire shape of every error (RFC 9457), as ProblemFilter writes it. For OpenAPI only.

export class FieldErrorDto {
  @ApiProperty({ example: 'subject.identifier.value' }) field!: string;
  @ApiProperty({ example: 'INVALID_RESIDENT_ID' }) rule!: string;
  @ApiProperty({ example: 'Resident ID check character does not match' }) message!: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'urn:credit-discipline:problem:validation-failed' }) type!: string;
  @ApiProperty({ example: 'Validation failed' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ description: 'Stable error code', enum: [...APP_ERROR_CODES, ...DOMAIN_ERROR_CODES], example: 'VALIDATION_FAILED' }) code!: string;
  @ApiProperty({ example: 'property foo should not exist' }) detail!: string;
  @ApiPropertyOptional({ description: 'Path of the request', example: '/v1/restrictions' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field failures (400 and 422)' }) errors?: FieldErrorDto[];
}

const MEANING: Record<number, string> = {
  400: 'Malformed input; unknown fields are refused (per-field `errors`)',
  401: 'No valid bearer token',
  403: 'The caller\'s role or court may not do this',
  404: 'No such resource (for this caller)',
  409: 'Conflicts with the current state',
  412: 'If-Match names a stale version',
  413: 'Body too large',
  415: 'Only application/json is accepted',
  422: 'Breaks a legal rule, or an Idempotency-Key was reused with another body',
  428: 'If-Match is required',
  429: 'Rate limited',
  503: 'Temporarily unavailable',
};

/** Documents error answers as application/problem+json with the ProblemDto schema; on a controller or a handler. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiProblem(status, MEANING[status] ?? 'Error')));
}

/** One error answer with a description of its own, e.g. when it carries a header such as Retry-After. */
export function ApiProblem(status: number, description: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } } }),
  );
}
