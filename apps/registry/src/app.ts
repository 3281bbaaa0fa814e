import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { ProblemDto } from './common/problem.dto';
import { problemFor } from './common/problem.filter';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import { harden } from './hardening';
import { ROOT_LOGGER } from './logging/logging.module';
import { logRequests, routeOf } from './logging/request-log';
import { Metrics } from './metrics/metrics';

/** Builds the HTTP application; used by main.ts and by the integration tests alike. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // Fastify answers a malformed URL or an over-long path parameter itself, before Nest:
    // give those the same problem+json every other error gets, from the one mapping.
    frameworkErrors: (error: { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void reply
        .code(status)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .header('x-request-id', request.id)
        .send({ ...problemFor({ statusCode: status, message: status === 414 ? 'A path parameter is too long.' : 'The URL is malformed.' }), instance: request.url.split('?')[0].slice(0, 200) });
    },
    // Behind a load balancer, request.ip (and so every per-client rate limit) is the client's, not the balancer's.
    trustProxy: config.http.trustProxy,
    // The request id is the one id of a request: `reqId` in every log line and the x-request-id response header.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    // Held until the pino logger is in place, so start-up lines are JSON too.
    bufferLogs: true,
    // Fastify's own JSON parser only: Nest's would add form-urlencoded bodies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  await harden(app, config);
  // Nest flushes the buffer only in listen(); the tests never listen, and nothing should wait for it.
  app.flushLogs();
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: undefined });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: any other media type is refused with 415 instead of being parsed as text.
  fastify.removeContentTypeParser(['text/plain']);
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  logRequests(fastify, app.get<symbol, Pino>(ROOT_LOGGER));
  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, routeOf(request), reply.statusCode, reply.elapsedTime / 1000);
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Credit-discipline restriction service')
      .setDescription('Dishonest-debtor list, consumption restrictions and exit bans: court API (v1).')
      .setVersion('1')
      .addBearerAuth()
      .addGlobalResponse({
        status: 500,
        description: 'Unexpected failure (logged with the request id)',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      })
      .build(),
    { extraModels: [ProblemDto] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
