import { Module } from '@nestjs/common';
import { ServiceAuthGuard } from '../auth/service-auth.guard';
import { InternalController } from './internal.controller';
import { InternalService } from './internal.service';

@Module({ controllers: [InternalController], providers: [InternalService, ServiceAuthGuard] })
export class InternalModule {}
