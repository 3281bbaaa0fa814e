import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainError, type DomainErrorCode } from '@cd/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type AppErrorCode, type FieldError } from './app-error';
import { describeError } from '../logging/redaction';

// The one place where error codes become HTTP (RFC 9457 problem+json).
// Exhaustive records: adding a code without a status fails type-checking.
const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  INVALID_RESIDENT_ID: 422,
  INVALID_USCC: 422,
  INVALID_PASSPORT: 422,
  IDENTIFIER_TYPE_MISMATCH: 422,
  SUBJECT_IS_MINOR: 422,
  GROUND_REQUIRED: 422,
  GROUND_NOT_ALLOWED: 422,
  EXCLUSION_ATTESTATION_REQUIRED: 422,
  TERM_NOT_ALLOWED_FOR_GROUND: 422,
  EXTENSION_OUT_OF_RANGE: 422,
  GRACE_PERIOD_OUT_OF_RANGE: 422,
  MEASURES_NOT_ALLOWED: 422,
  MEASURES_REQUIRED: 422,
  AFFECTED_PERSON_ROLE_NOT_ALLOWED: 422,
  AFFECTED_PERSONS_REQUIRED: 422,
  EXPIRY_NOT_ALLOWED: 422,
  INVALID_DATE_RANGE: 422,
  RELISTING_BARRED: 409,
  ALREADY_LISTED: 409,
  LIFT_REASON_NOT_ALLOWED: 422,
  LIFT_REASON_RESERVED: 422,
  ALREADY_LIFTED: 409,
  PERMISSION_NOT_ALLOWED: 422,
  FIELD_NOT_AMENDABLE: 422,
  FIELD_REQUIRED: 422,
  FIELD_NOT_ALLOWED: 422,
  INVALID_DATE: 422,
  INVALID_MEASURES: 422,
  GRACE_PERIOD_NOT_ALLOWED: 422,
  LINKED_LISTING_ACTIVE: 409,
  CORRECTION_KIND_NOT_ALLOWED: 422,
  CORRECTION_RESTRICTION_LIFTED: 409,
  CORRECTION_ALREADY_OPEN: 409,
  CORRECTION_INVALID_TRANSITION: 409,
  RECONSIDERATION_WINDOW_CLOSED: 422,
  NO_HIGHER_COURT: 422,
  CARRY_OUT_ACTION_MISMATCH: 422,
};

const APP_STATUS: Record<AppErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  COURT_NOT_REGISTERED: 403,
  RESTRICTION_NOT_FOUND: 404,
  PARTNER_NOT_FOUND: 404,
  PARTNER_EXISTS: 409,
  PARTNER_KEY_EXISTS: 409,
  PARTNER_KEY_NOT_FOUND: 404,
  RECEIPT_REJECTED: 422,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PRECONDITION_REQUIRED: 428,
  STALE_VERSION: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  CONCURRENT_UPDATE: 409,
  RATE_LIMITED: 429,
  CORRECTION_NOT_FOUND: 404,
  CALENDAR_NOT_COVERED: 503,
  AUDIT_UNAVAILABLE: 503,
  OVERLOADED: 503,
  INTERNAL: 500,
};

export interface Problem {
  [extension: string]: unknown;
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export function problemFor(error: unknown): Problem {
  if (error instanceof DomainError) {
    return problem(DOMAIN_STATUS[error.code] ?? 422, error.code, error.message, error.field ? [{ field: error.field, rule: error.code, message: error.message }] : []);
  }
  if (error instanceof AppError) {
    return { ...problem(APP_STATUS[error.code], error.code, error.message, error.errors), ...error.extensions };
  }
  if (error instanceof HttpException) {
    return problem(error.getStatus(), httpCode(error.getStatus()), httpDetail(error));
  }
  const status = (error as { statusCode?: number })?.statusCode;
  // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problem(status, httpCode(status), (error as Error).message);
  }
  return problem(500, 'INTERNAL', 'An unexpected error occurred.');
}

function problem(status: number, code: string, detail: string, errors: FieldError[] = []): Problem {
  return {
    type: `urn:credit-discipline:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(code),
    status,
    code,
    detail,
    ...(errors.length ? { errors } : {}),
  };
}

function titleOf(code: string): string {
  const words = code.toLowerCase().split('_');
  return [words[0][0].toUpperCase() + words[0].slice(1), ...words.slice(1)].join(' ');
}

function httpCode(status: number): AppErrorCode {
  switch (status) {
    case HttpStatus.NOT_FOUND:
      return 'ROUTE_NOT_FOUND';
    case HttpStatus.METHOD_NOT_ALLOWED:
      return 'METHOD_NOT_ALLOWED';
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return 'PAYLOAD_TOO_LARGE';
    case HttpStatus.UNAUTHORIZED:
      return 'UNAUTHENTICATED';
    case HttpStatus.FORBIDDEN:
      return 'FORBIDDEN';
    case HttpStatus.TOO_MANY_REQUESTS:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL' : 'MALFORMED_REQUEST';
  }
}

function httpDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = { ...problemFor(error), instance: request.url.split('?')[0] };
    if (body.status >= 500) {
      this.logger.error(`${request.method} ${body.instance} failed: ${describeError(error)}`);
    }
    void reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}
