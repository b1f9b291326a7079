import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';
/** The field that carries the request id on every line Fastify's request logger writes. */
export const REQUEST_ID_LOG_LABEL = 'requestId';
// An incoming id is reused only if it is short and plain, so it cannot forge log lines.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: reuse the caller's id when it is safe, else mint one. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

// Probes and scrapes every few seconds would drown the useful lines.
export const QUIET_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

// Paths for pino's redaction: credentials never reach a log line.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-observer-secret"]',
  'req.headers["x-internal-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  // A failed query's bound values (password or refresh-token hashes, emails) and the driver's
  // error, whose detail repeats them ("Key (email)=(…) already exists"), wherever they are logged.
  '*.parameters',
  '*.driverError',
];

// Fields of a database error that carry values rather than what went wrong; the SQL text (with
// $1 placeholders), the code, constraint, table and column stay for debugging.
const DATABASE_VALUE_FIELDS = ['parameters', 'driverError', 'detail', 'where', 'internalQuery', 'hint'];

/** pino's err serializer, minus a failed query's values (see DATABASE_VALUE_FIELDS), also in causes. */
export function serializeError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  const strip = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object' || depth > 5) return value;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const field of DATABASE_VALUE_FIELDS) if (field in copy) delete copy[field];
    if ('cause' in copy) copy.cause = strip(copy.cause, depth + 1);
    if (Array.isArray(copy.aggregateErrors))
      copy.aggregateErrors = copy.aggregateErrors.map((e: unknown) => strip(e, depth + 1));
    return copy;
  };
  return strip(serialized, 0);
}

/**
 * The one pino logger of a service. Fastify uses it as its own logger (request lines are children
 * carrying the request id) and Nest logs through it via PinoNestLogger. Request logging runs as a
 * Fastify hook rather than an Express-style middleware: the middleware (pino-http via middie plus
 * an async-context binding per request) cost about a fifth of the token endpoint's throughput.
 */
export function createServiceLogger(service: string, level: string, destination?: DestinationStream): PinoLogger {
  const options = {
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal';

/**
 * Nest's LoggerService over pino. Nest's Logger passes `(message, ...params, context)`; a leading
 * object becomes structured fields, so `logger.warn({ err }, 'failed')` logs `err` as a field.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest appends the context (the class name) as the last string parameter.
    const context =
      params.length > 0 && typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, typeof params[0] === 'string' ? params[0] : message.message);
    } else if (message !== null && typeof message === 'object') {
      const text = typeof params[0] === 'string' ? params[0] : undefined;
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) }, text);
    } else {
      // Nest's own error logs pass the stack as the first parameter.
      if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n    at '))
        fields.stack = params[0];
      this.logger[level](fields, String(message));
    }
  }
}
