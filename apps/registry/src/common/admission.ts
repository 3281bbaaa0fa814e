import type { FastifyInstance } from 'fastify';
import { problemFor } from './problem.filter';
import { AppError } from './app-error';

/** Never refused: an orchestrator must see an overloaded instance as alive, and scrape it. */
const EXEMPT = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Admission control: at most `maxInFlight` requests in progress. Beyond that the request is
 * answered at once with 503 OVERLOADED and Retry-After instead of queueing — an overloaded
 * instance keeps its latency and memory bounded and a client (or the load balancer) retries,
 * rather than every caller waiting on an ever longer queue. Counted until the response is
 * finished or the connection closed.
 */
export function limitInFlight(fastify: FastifyInstance, maxInFlight: number, onShed: () => void): void {
  let inFlight = 0;
  fastify.addHook('onRequest', async (request, reply) => {
    if (EXEMPT.test(request.url)) return;
    if (inFlight >= maxInFlight) {
      onShed();
      const body = { ...problemFor(new AppError('OVERLOADED', 'The service is at capacity; retry after a second.')), instance: request.url.split('?')[0] };
      return reply.code(503).header('retry-after', '1').header('content-type', 'application/problem+json; charset=utf-8').send(body);
    }
    inFlight++;
    reply.raw.once('close', () => inFlight--);
  });
}
