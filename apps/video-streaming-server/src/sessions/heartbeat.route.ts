import type { HeartbeatResponse } from '@app/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { verifyTelemetryBearer } from '../auth/telemetry.guard';
import { TelemetryTokenService } from '../auth/telemetry-token.service';
import { SessionsService } from './sessions.service';

export const HEARTBEAT_ROUTE = { method: 'POST', url: '/v1/sessions/current/heartbeat' } as const;

/**
 * Serves the heartbeat, by far the busiest route (every session, every few seconds), on a lean
 * path: a plain Fastify handler instead of Nest's per-request pipeline (execution context, guard,
 * param decorator, global pipe, interceptor chain, response controller), which cost about as much
 * as the heartbeat's own work. SessionsController still declares the route, so it stays in the
 * OpenAPI document with its @QuietOnSuccess() route config, and Nest still registers it with
 * Fastify; this hook swaps only the handler while the route is being registered.
 *
 * Nothing is copied: the handler runs the guard's own check (verifyTelemetryBearer, i.e.
 * TelemetryTokenService.verify) and SessionsService.heartbeat (SessionRepository's Lua script).
 * What it throws goes to Fastify's error handler, which Nest points at the global exception
 * filter, so the error bodies (statusCode, code, message, requestId) and statuses (401, 410, 503)
 * are the same, and the onResponse hook counts every request in the request-duration histogram.
 * Its request logger is built on first use (DeferredRequestLogger): a successful heartbeat writes
 * no line, so it need not pay for one; a failure logs with the request id as everywhere else.
 *
 * Call it after the app is created and before it is initialised (Nest registers routes in init).
 */
export function serveHeartbeatOnLeanPath(app: NestFastifyApplication): void {
  const tokens = app.get(TelemetryTokenService);
  const sessions = app.get(SessionsService);
  const heartbeat = async (request: FastifyRequest): Promise<HeartbeatResponse> =>
    sessions.heartbeat(await verifyTelemetryBearer(tokens, request.headers.authorization));

  let swapped = false;
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    if (route.url === HEARTBEAT_ROUTE.url && route.method === HEARTBEAT_ROUTE.method) {
      route.handler = heartbeat;
      route.childLoggerFactory = (logger, bindings, options) => new DeferredRequestLogger(logger, bindings, options);
      swapped = true;
    }
  });
  // Renaming the controller's route must not silently put the heartbeat back on the slow path.
  fastify.addHook('onReady', async () => {
    if (!swapped) throw new Error(`${HEARTBEAT_ROUTE.method} ${HEARTBEAT_ROUTE.url} was never registered`);
  });
}

type LogArgs = [obj: unknown, msg?: string, ...args: unknown[]];

/**
 * The request's logger (request.log, reply.log), created on first use. Fastify builds a pino child
 * for every request, and pino runs its bindings through the redaction paths: a cost as large as
 * the rest of the framework's own per-request work, paid by heartbeats that never log on success.
 * The real child has the same parent, bindings (the request id) and options, so any line written
 * is exactly the line Fastify's own child would have written.
 */
class DeferredRequestLogger implements FastifyBaseLogger {
  private created?: FastifyBaseLogger;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.created ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.logger.level;
  }
  set level(level: string) {
    this.logger.level = level;
  }

  // Methods on the prototype (nothing is allocated per request but the object itself), passing the
  // caller's arguments through untouched: pino reads their count and types.
  fatal(...args: LogArgs): void {
    this.forward('fatal', args);
  }
  error(...args: LogArgs): void {
    this.forward('error', args);
  }
  warn(...args: LogArgs): void {
    this.forward('warn', args);
  }
  info(...args: LogArgs): void {
    this.forward('info', args);
  }
  debug(...args: LogArgs): void {
    this.forward('debug', args);
  }
  trace(...args: LogArgs): void {
    this.forward('trace', args);
  }
  silent(...args: LogArgs): void {
    this.forward('silent', args);
  }

  private forward(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', args: LogArgs): void {
    this.logger[level](...args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}
