import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { limitInFlight } from './common/admission';
import type { AppConfig } from './config/app-config';
import { Metrics } from './metrics/metrics';

// One policy for every response. The pages send their own stricter CSP (pages.controller.ts),
// which replaces this one; Swagger UI at /docs needs its inline <style>, hence 'unsafe-inline'
// for styles only — never for scripts.
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id'];
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'X-Request-Id', 'Retry-After'];

/** Admission control, security headers, CORS and the default cache policy; called before the routes are registered. */
export async function harden(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const metrics = app.get(Metrics);
  limitInFlight(app.getHttpAdapter().getInstance(), config.http.maxInFlight, () => metrics.shedRequests.inc());
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP },
    // Only where the service is reached over HTTPS: a browser that saw it on plain HTTP would lock itself out.
    strictTransportSecurity: config.http.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  // Without CORS_ORIGINS no CORS header is ever sent: browsers allow same-origin calls only.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins,
      credentials: false,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }
  // Answers carry personal data and are per caller: nothing is cached unless a route says so
  // (the event keys and the pages set their own Cache-Control).
  app.getHttpAdapter().getInstance().addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
