import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';

// Per-client-IP limits on the public endpoints and the debtor's own (status, corrections), to make
// harvesting the list or probing for namesakes slow. Counters are per instance (in memory).

export type RateLimitClass = 'public' | 'debtor';

export const TOO_MANY = 'RATE_LIMITED (problem+json) with Retry-After: per-client-IP limit per minute exceeded.';

const RATE_LIMIT_CLASS = 'inquiry:rate-limit-class';
const WINDOW_MS = 60_000;
const reflector = new Reflector();

/** Stamps the handler (or controller) with its limit class and guards it. */
export const RateLimited = (limitClass: RateLimitClass) => applyDecorators(SetMetadata(RATE_LIMIT_CLASS, limitClass), UseGuards(RateLimitGuard));

export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const perMinute: Record<RateLimitClass, number> = {
    public: config.inquiry.publicRateLimitPerMinute,
    debtor: config.inquiry.debtorRateLimitPerMinute,
  };
  return {
    throttlers: [
      {
        ttl: WINDOW_MS,
        // An unmarked route gets the stricter public limit.
        limit: (context: ExecutionContext) =>
          perMinute[reflector.getAllAndOverride<RateLimitClass | undefined>(RATE_LIMIT_CLASS, [context.getHandler(), context.getClass()]) ?? 'public'],
      },
    ],
  };
}

/** The throttler's guard, answering with the service's own problem+json (RATE_LIMITED) next to its Retry-After header. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppError('RATE_LIMITED', `Too many requests: at most ${detail.limit} a minute from one client; retry after ${detail.timeToBlockExpire} s.`, [], {
      retryAfterSeconds: detail.timeToBlockExpire,
    });
  }
}
