import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, PostgresCheck } from '@app/database';
import { ObjectStoreCheck, ObjectStoreModule } from '@app/object-store';
import { HealthModule, loggingModule, MetricsModule } from '@app/observability';
import { RedisCheck, RedisModule } from '@app/redis';
import { SERVICE_NAME, type UserManagementConfig } from './config';

@Module({})
export class UserManagementModule {
  static register(config: UserManagementConfig): DynamicModule {
    return {
      module: UserManagementModule,
      imports: [
        loggingModule(SERVICE_NAME, config.logLevel),
        MetricsModule.forRoot(SERVICE_NAME),
        DatabaseModule.forRoot(config.database),
        RedisModule.forRoot(config.redis),
        ObjectStoreModule.forRoot(config.objectStore),
        HealthModule.forRoot({ service: SERVICE_NAME, checks: [PostgresCheck, RedisCheck, ObjectStoreCheck] }),
      ],
    };
  }
}
