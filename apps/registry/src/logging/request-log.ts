import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { maskUrl } from './redaction';

/** The route pattern (`/v1/restrictions/:id`), never the raw URL: bounded label values, no personal data. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? 'unmatched';
}

/**
 * One line per request, written when the response has been sent. The id is Fastify's
 * request id, which is also the x-request-id response header and the `reqId` of every
 * line logged while the request was handled.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    logger[status >= 500 ? 'warn' : 'info'](
      {
        reqId: request.id,
        method: request.method,
        route: routeOf(request),
        url: maskUrl(request.url),
        status,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  });
}
