import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { USER_MANAGEMENT_ENTITIES } from './entities';
import { USER_MANAGEMENT_REPOSITORIES } from './repositories';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature(USER_MANAGEMENT_ENTITIES)],
  providers: USER_MANAGEMENT_REPOSITORIES,
  exports: USER_MANAGEMENT_REPOSITORIES,
})
export class PersistenceModule {}
