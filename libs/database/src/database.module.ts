import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DependencyCheck } from '@app/observability';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, type DatabaseOptions } from './data-source';

@Injectable()
export class PostgresCheck implements DependencyCheck {
  readonly name = 'postgres' as const;
  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot({ ...buildDataSourceOptions(options), retryAttempts: 3, retryDelay: 1_000 })],
      providers: [PostgresCheck],
      exports: [PostgresCheck],
    };
  }
}
