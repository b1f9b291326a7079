import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, RouteConfig, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  createServiceLogger,
  HTTP_REQUEST_DURATION,
  PinoNestLogger,
  QUIET_PATHS,
  REQUEST_ID_HEADER,
  REQUEST_ID_LOG_LABEL,
  requestIdFor,
} from '@app/observability';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import type { DestinationStream } from 'pino';
import type { Histogram } from 'prom-client';
import { GlobalExceptionFilter } from './global-exception.filter';
import { WellFormedZodValidationPipe } from './well-formed-validation.pipe';

const QUIET_ROUTE = 'parleyQuiet';

/**
 * Marks a high-frequency route (heartbeats) whose successful requests write no log line; its
 * failures still do, and every request is counted in the request-duration histogram.
 */
export const QuietOnSuccess = () => RouteConfig({ [QUIET_ROUTE]: true });

const isQuietRoute = (request: FastifyRequest) =>
  (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[QUIET_ROUTE] === true;

export interface HttpAppOptions {
  service: string;
  logLevel: string;
  title: string;
  description: string;
  bodyLimitBytes: number;
  /** Bearer security schemes referenced by @ApiBearerAuth(name) in the app's controllers. */
  bearerSchemes?: Record<string, string>;
  /**
   * Which proxies' X-Forwarded-For to believe for request.ip (Fastify's trustProxy: false, true, a
   * hop count or addresses/CIDRs; see TRUST_PROXY). Default false: the socket address.
   */
  trustProxy?: boolean | number | string[];
  /** Where log lines go (default stdout); tests pass a capture stream. */
  logDestination?: DestinationStream;
}

// Both apps are built the same way: Fastify (about twice Nest+Express's throughput), one pino
// logger shared by Fastify and Nest with one line per request from a Fastify hook, zod validation on every body/query/param (well-formed text first), one exception filter, OpenAPI at /docs,
// request-duration metrics, and graceful shutdown on SIGTERM/SIGINT.
export async function createHttpApp(
  rootModule: DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const logger = createServiceLogger(options.service, options.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    loggerInstance: logger,
    // Fastify's own per-request lines are off: the onResponse hook below writes one flat line.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: REQUEST_ID_LOG_LABEL }),
    requestIdHeader: false,
    genReqId: requestIdFor,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { bufferLogs: true });
  app.useLogger(new PinoNestLogger(logger));
  app.useGlobalPipes(new WellFormedZodValidationPipe());
  app.useGlobalFilters(new GlobalExceptionFilter());
  app.enableShutdownHooks();

  const duration = app.get<Histogram>(HTTP_REQUEST_DURATION);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  const logRequests = logger.isLevelEnabled('info');
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    duration.observe(
      { method: request.method, route: route ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (
      logRequests &&
      !(route !== undefined && QUIET_PATHS.has(route)) &&
      !(reply.statusCode < 400 && isQuietRoute(request))
    ) {
      request.log.info(
        // Flat fields: nested req/res objects would go through Fastify's serializers on every request.
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
    }
  });

  const document = SwaggerModule.createDocument(
    app,
    Object.entries(options.bearerSchemes ?? {})
      .reduce(
        (builder, [name, description]) =>
          builder.addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description }, name),
        new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1'),
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
