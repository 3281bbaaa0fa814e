import { applyDecorators, createParamDecorator, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor, type PipeTransform } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tap, type Observable } from 'rxjs';
import type { Principal } from '../auth/principal';
import { AppError } from './app-error';
import { ApiProblems } from './problem.dto';

export const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'Same key and body → the original response; same key, other body → 422.' };

/** What every write command takes from its request: who asks, the Idempotency-Key, the request id (audit). */
export interface CommandContext {
  principal: Principal;
  idempotencyKey?: string;
  requestId: string;
}

export const Command = createParamDecorator((_data: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { principal: Principal }>();
  const key = request.headers['idempotency-key'];
  return { principal: request.principal, idempotencyKey: typeof key === 'string' ? key : undefined, requestId: request.id };
});

interface VersionedView {
  id: string;
  version: number;
}

class VersionedInterceptor implements NestInterceptor<VersionedView, VersionedView> {
  constructor(private readonly location?: (view: VersionedView) => string) {}

  intercept(context: ExecutionContext, next: CallHandler<VersionedView>): Observable<VersionedView> {
    return next.handle().pipe(
      tap((view) => {
        const reply = context.switchToHttp().getResponse<FastifyReply>();
        void reply.header('etag', `"${view.version}"`);
        if (this.location) void reply.header('location', this.location(view));
      }),
    );
  }
}

/** Answers with `ETag: "<version>"` of the view returned, and `Location` for a resource just created. */
export function Versioned(location?: (view: VersionedView) => string): MethodDecorator {
  return UseInterceptors(new VersionedInterceptor(location));
}

/**
 * A change to a versioned resource: `If-Match: <version>` (412 when stale; 428 without it where
 * required), `Idempotency-Key`, and the new version as ETag.
 */
export function VersionedWrite(ifMatch: { required: boolean; description: string }): MethodDecorator {
  return applyDecorators(
    Versioned(),
    ApiProblems(404, 409, 412, 422, ...(ifMatch.required ? [428] : [])),
    ApiHeader({ name: 'If-Match', ...ifMatch }),
    ApiHeader(IDEMPOTENCY_HEADER),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Injectable()
export class RestrictionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) {
      throw new AppError('VALIDATION_FAILED', 'Restriction id must be a lower-case UUID.', [{ field: 'id', rule: 'isUuid', message: 'id must be a UUID' }]);
    }
    return value;
  }
}

/** Parses `If-Match: "3"` (or W/"3", or 3). */
export function ifMatchVersion(header: string | undefined, required: boolean): number | undefined {
  if (header === undefined || header === '') {
    if (required) {
      throw new AppError('PRECONDITION_REQUIRED', 'If-Match: <version> is required to correct a restriction.', [
        { field: 'If-Match', rule: 'required', message: 'send the version you are correcting' },
      ]);
    }
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) {
    throw new AppError('VALIDATION_FAILED', 'If-Match must carry a restriction version, e.g. "3".', [
      { field: 'If-Match', rule: 'format', message: 'expected a version number' },
    ]);
  }
  return Number(match[1]);
}

/** Partner ids and key ids are short ASCII tokens; anything else cannot name one (and never reaches SQL). */
@Injectable()
export class TokenIdPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: { data?: string }): string {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) {
      const field = metadata.data ?? 'id';
      throw new AppError('VALIDATION_FAILED', `${field} must be 1–64 of A-Z a-z 0-9 . _ -`, [{ field, rule: 'format', message: 'not a valid id' }]);
    }
    return value;
  }
}
