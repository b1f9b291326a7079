import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

export const REQUEST_ID_HEADER = 'x-request-id';
// An incoming id is reused only if it is short and plain, so it cannot forge log lines.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: reuse the caller's id when it is safe, else mint one. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
// Behind Nest's middleware layer req.url may be rewritten; originalUrl is the path the client sent.
const pathOf = (req: IncomingMessage & { originalUrl?: string }) => (req.originalUrl ?? req.url ?? '').split('?')[0];

// Paths for pino's redaction: credentials never reach a log line.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-observer-secret"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
];

export function loggingModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      // Fastify assigns the id (see createHttpApp); pino-http reuses it so log lines and the
      // x-request-id response header agree.
      genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req),
      customAttributeKeys: { reqId: 'requestId' },
      // Lines logged inside a request carry just the requestId, not the whole request again.
      quietReqLogger: true,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Probes and scrapes every few seconds would drown the useful lines.
      autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req)) },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
