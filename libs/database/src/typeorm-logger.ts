import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerInterface } from 'typeorm';

export type TypeOrmLogKind = 'query' | 'error' | 'warn' | 'schema' | 'migration';

const describeError = (error: string | Error) =>
  typeof error === 'string'
    ? { message: error }
    : { message: error.message, code: (error as { code?: unknown }).code, name: error.name };

/**
 * TypeORM's logger, through the service's pino logger (Nest's Logger). It never writes a query's
 * parameters or the driver's error detail (they hold password and refresh-token hashes, emails):
 * the SQL text with its $1 placeholders says what failed. A custom TypeORM logger gets every call
 * whatever the `logging` option says, so it decides itself which kinds it writes.
 */
export class ParameterFreeTypeOrmLogger implements TypeOrmLoggerInterface {
  private readonly logger = new NestLogger('TypeORM');
  private readonly enabled: ReadonlySet<TypeOrmLogKind>;

  constructor(enabled: readonly TypeOrmLogKind[]) {
    this.enabled = new Set(enabled);
  }

  logQuery(query: string): void {
    if (this.enabled.has('query')) this.logger.debug({ query }, 'query');
  }
  // Debug level: the caller decides whether a failure is a bug (the exception filter logs those)
  // or expected (a unique violation that becomes a 409).
  logQueryError(error: string | Error, query: string): void {
    if (this.enabled.has('error')) this.logger.debug({ query, error: describeError(error) }, 'query failed');
  }
  logQuerySlow(time: number, query: string): void {
    if (this.enabled.has('warn')) this.logger.warn({ query, durationMs: time }, 'slow query');
  }
  logSchemaBuild(message: string): void {
    if (this.enabled.has('schema')) this.logger.debug(message);
  }
  logMigration(message: string): void {
    if (this.enabled.has('migration')) this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn' && this.enabled.has('warn')) this.logger.warn(String(message));
  }
}
