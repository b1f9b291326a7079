import { randomUUID } from 'node:crypto';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { FALLBACK_HEADER, type ApiErrorBody } from '@app/contracts';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';
import { DomainError } from '@app/errors';
import { httpStatusFor } from './http-status';

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'DEPENDENCY_UNAVAILABLE',
};

type ErrorBody = Omit<ApiErrorBody, 'requestId'>;

// The one place where errors become HTTP answers. Domain errors map by code; validation errors
// become 400 with the failing fields; Fastify's own 4xx (bad JSON, body too large, wrong content
// type) keep their status; anything else is a 500 whose details stay in the log under an errorId.
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    // request.log is Fastify's child logger: these lines carry the request id.
    const body = this.toBody(exception, request.log);
    const requestId = request.id;
    const retryAfter = exception instanceof DomainError ? exception.details?.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    if (body.fallback) void reply.header(FALLBACK_HEADER, body.fallback);
    void reply.status(body.statusCode).send({ ...body, requestId });
  }

  private toBody(exception: unknown, log: FastifyBaseLogger): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        statusCode: httpStatusFor(exception.code),
        code: exception.code,
        message: exception.message,
        ...(exception.reason ? { reason: exception.reason } : {}),
        ...(typeof exception.details?.fallback === 'string' ? { fallback: exception.details.fallback } : {}),
      };
    }
    if (exception instanceof ZodValidationException) return validationBody(exception.getZodError() as ZodError);
    if (exception instanceof ZodError) return validationBody(exception);
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const nested =
        typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : undefined;
      const message = typeof response === 'string' ? response : typeof nested === 'string' ? nested : exception.message;
      if (statusCode >= 500) log.error({ err: exception }, 'HTTP exception');
      return { statusCode, code: HTTP_CODES[statusCode] ?? `HTTP_${statusCode}`, message };
    }
    const outage = dependencyOutage(exception);
    if (outage) {
      log.warn({ err: exception }, `${outage} unavailable`);
      return {
        statusCode: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        message: `${outage} is unavailable right now; try again shortly`,
      };
    }
    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      return {
        statusCode: fastifyStatus,
        code: HTTP_CODES[fastifyStatus] ?? `HTTP_${fastifyStatus}`,
        message: (exception as Error).message,
      };
    }
    const errorId = randomUUID();
    log.error({ err: exception, errorId }, 'Unhandled error');
    return { statusCode: 500, code: 'INTERNAL', message: `Internal server error (errorId ${errorId})` };
  }
}

// A dependency that is down is a 503 for the caller (retry later), not a 500 (our bug).
function dependencyOutage(exception: unknown): string | undefined {
  const err = exception as { name?: unknown; message?: unknown; code?: unknown };
  if (!err || typeof err !== 'object') return undefined;
  if (
    err.name === 'MaxRetriesPerRequestError' ||
    err.message === 'Connection is closed.' ||
    err.message === "Stream isn't writeable and enableOfflineQueue options is false"
  ) {
    return 'Redis';
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT' || err.code === 'ECONNRESET') return 'A backing service';
  return undefined;
}

function validationBody(error: ZodError): ErrorBody {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  return {
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.slice(0, 1_000),
    issues,
  };
}
