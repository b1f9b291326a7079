import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, PostgresCheck } from '@app/database';
import { ObjectStoreCheck, ObjectStoreModule } from '@app/object-store';
import { HealthModule, MetricsModule } from '@app/observability';
import { RedisCheck, RedisModule } from '@app/redis';
import { AuthModule } from './auth/auth.module';
import { SERVICE_NAME, UM_CONFIG, type UserManagementConfig } from './config';
import { InternalModule } from './internal/internal.module';
import { InterviewsModule } from './interviews/interviews.module';
import { JobPostingsModule } from './job-postings/job-postings.module';
import { MeetingsModule } from './meetings/meetings.module';
import { OrganizationModule } from './organization/organization.module';
import { PeopleModule } from './people/people.module';
import { USER_MANAGEMENT_ENTITIES } from './persistence/entities';
import { PersistenceModule } from './persistence/persistence.module';
import { RecordingsModule } from './recordings/recordings.module';
import { WebAppModule } from './web-app/web-app.module';

@Global()
@Module({})
class UserManagementConfigModule {
  static register(config: UserManagementConfig): DynamicModule {
    return {
      module: UserManagementConfigModule,
      providers: [{ provide: UM_CONFIG, useValue: config }],
      exports: [UM_CONFIG],
    };
  }
}

@Module({})
export class UserManagementModule {
  static register(config: UserManagementConfig): DynamicModule {
    return {
      module: UserManagementModule,
      imports: [
        UserManagementConfigModule.register(config),
        MetricsModule.forRoot(SERVICE_NAME),
        DatabaseModule.forRoot({ ...config.database, entities: USER_MANAGEMENT_ENTITIES }),
        RedisModule.forRoot(config.redis),
        ObjectStoreModule.forRoot(config.objectStore),
        // Only PostgreSQL is critical: without it nothing can be answered. Without Redis only
        // sign-in is refused (its failure counters live there; token versions fall back to
        // PostgreSQL); replay URLs are presigned locally, so an object-store outage costs nothing
        // here. Both only degrade: every replica leaving rotation at once would be worse.
        HealthModule.forRoot({
          service: SERVICE_NAME,
          checks: [PostgresCheck, { use: RedisCheck, critical: false }, { use: ObjectStoreCheck, critical: false }],
        }),
        PersistenceModule,
        AuthModule,
        OrganizationModule,
        PeopleModule,
        JobPostingsModule,
        InterviewsModule,
        MeetingsModule,
        RecordingsModule,
        InternalModule,
        WebAppModule,
      ],
    };
  }
}
