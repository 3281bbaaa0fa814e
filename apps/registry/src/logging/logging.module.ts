import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { createRootLogger, LOG_SERIALIZERS } from './logger';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/**
 * nestjs-pino replaces Nest's logger (createApp calls app.useLogger) and binds `reqId` to
 * every line logged while a request is handled. Its own request/response lines are off:
 * logRequests writes one line per request with the route pattern, which pino-http cannot see.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: ROOT_LOGGER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createRootLogger(config) }],
      inject: [ROOT_LOGGER],
      useFactory: (logger: Logger) => ({
        // pino-http would otherwise give the child logger its default request serializer (all headers).
        pinoHttp: { logger, serializers: LOG_SERIALIZERS, wrapSerializers: false, autoLogging: false, quietReqLogger: true, quietResLogger: true },
      }),
    }),
  ],
})
export class LoggingModule {}
