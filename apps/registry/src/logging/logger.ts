import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config';
import { maskIdLikeTokens, maskUrl, REDACTED } from './redaction';

/** A request is logged as id, method and masked URL only: no headers, no body, no client address. */
export const LOG_SERIALIZERS = {
  req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: req.url === undefined ? undefined : maskUrl(req.url) }),
  err: pino.stdSerializers.err,
};

/**
 * The one pino logger of the process: JSON lines on stdout (pretty only with LOG_PRETTY=true).
 * Nest's Logger, the request context of nestjs-pino and the request log all write through it.
 */
export function createRootLogger(config: AppConfig, destination: DestinationStream = process.stdout): Logger {
  const options: LoggerOptions = {
    level: config.log.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Headers and bodies are never bound to a log line; this is the safety net if one ever is.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'authorization', 'cookie'],
      censor: REDACTED,
    },
    serializers: LOG_SERIALIZERS,
    hooks: {
      // Messages built by services (error texts, URLs) may quote an identifier.
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskIdLikeTokens(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (config.log.pretty) {
    try {
      return pino({ ...options, transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } });
    } catch (error) {
      const logger = pino(options, destination);
      logger.warn(`LOG_PRETTY=true but pino-pretty is unavailable (${(error as Error).message}); writing JSON`);
      return logger;
    }
  }
  return pino(options, destination);
}
