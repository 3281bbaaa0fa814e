import { applyDecorators, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/app-error';
import type { AppConfig } from '../config/app-config';

// Per-client-IP limits on the public endpoints and the debtor's own (status, corrections), to make
// harvesting the list or probing for namesakes slow. Counted per instance in memory by default;
// RATE_LIMIT_STORE=database keeps one budget across instances (DatabaseThrottlerStorage), at the
// price of a committed write on every limited request (bench/: debtor status p99 14.7 → 68.9 ms).

export type RateLimitClass = 'public' | 'debtor';

export const TOO_MANY = 'RATE_LIMITED (problem+json) with Retry-After: per-client-IP limit per minute exceeded.';

const RATE_LIMIT_CLASS = 'inquiry:rate-limit-class';
const WINDOW_MS = 60_000;
const reflector = new Reflector();

/** Stamps the handler (or controller) with its limit class and guards it. */
export const RateLimited = (limitClass: RateLimitClass) => applyDecorators(SetMetadata(RATE_LIMIT_CLASS, limitClass), UseGuards(RateLimitGuard));

export function rateLimitOptions(config: AppConfig, dataSource: DataSource): ThrottlerModuleOptions {
  const perMinute: Record<RateLimitClass, number> = {
    public: config.inquiry.publicRateLimitPerMinute,
    debtor: config.inquiry.debtorRateLimitPerMinute,
  };
  return {
    ...(config.inquiry.rateLimitStore === 'database' ? { storage: new DatabaseThrottlerStorage(dataSource) } : {}),
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

const SWEEP_EVERY_MS = 60_000;

/**
 * Fixed one-minute windows counted in `rate_limit_counters`: one upsert per request, whichever
 * instance serves it (the counter comes back through LAST_INSERT_ID, no second round trip). A
 * client may get up to twice the limit across a window boundary. Old windows are swept about once
 * a minute per instance. If the database cannot be reached the request fails as any other would.
 */
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private sweptAt = 0;

  constructor(private readonly dataSource: DataSource) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): ReturnType<ThrottlerStorage['increment']> {
    const now = Date.now();
    const windowStart = now - (now % ttl);
    const result: { insertId: number | string } = await this.dataSource.query(
      `INSERT INTO rate_limit_counters (counter_key, window_start, hits) VALUES (?, ?, 1)
       ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)`,
      [`${throttlerName}:${key}`.slice(0, 100), windowStart],
    );
    // A fresh row reports no insert id: its first hit.
    const totalHits = Number(result.insertId) || 1;
    if (now - this.sweptAt >= SWEEP_EVERY_MS) {
      this.sweptAt = now;
      void this.dataSource.query('DELETE FROM rate_limit_counters WHERE window_start < ? LIMIT 10000', [windowStart - ttl]).catch(() => undefined);
    }
    const timeToExpire = Math.max(1, Math.ceil((windowStart + ttl - now) / 1000));
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }
}
