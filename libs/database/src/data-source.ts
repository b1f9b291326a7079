import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { ALL_MIGRATIONS } from '@app/migrations';
import { ParameterFreeTypeOrmLogger } from './typeorm-logger';

export interface DatabaseOptions {
  url: string;
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
}

export function buildDataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    entities: options.entities ?? [],
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema is owned by migrations only.
    synchronize: false,
    migrationsRun: false,
    // Never a query's parameters (hashes, emails) in a log line; TypeORM's warnings only.
    logger: new ParameterFreeTypeOrmLogger(['warn']),
    extra: { connectionTimeoutMillis: 3_000 },
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Applies pending migrations, each in its own transaction. */
export async function runMigrations(options: DatabaseOptions): Promise<MigrationReport> {
  const dataSource = await new DataSource(buildDataSourceOptions(options)).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { applied: applied.map((m) => m.name) };
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts the last `steps` migrations (all of them with Infinity). */
export async function revertMigrations(options: DatabaseOptions, steps: number): Promise<MigrationReport> {
  const dataSource = await new DataSource(buildDataSourceOptions(options)).initialize();
  const reverted: string[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const executed = await dataSource
        .query(`SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1`)
        .catch(() => []);
      if (executed.length === 0) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push(executed[0].name);
    }
    return { applied: reverted };
  } finally {
    await dataSource.destroy();
  }
}
