import { createHttpApp } from '@app/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UserManagementModule } from './app.module';
import type { UserManagementConfig } from './config';

export function createUserManagement(config: UserManagementConfig): Promise<NestFastifyApplication> {
  return createHttpApp(UserManagementModule.register(config), {
    title: 'Parley user-management',
    description: 'Orgs, people, job postings, interviews, meetings, recordings metadata and the audit log.',
    bodyLimitBytes: config.http.bodyLimitBytes,
  });
}
