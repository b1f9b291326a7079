import { createHttpApp } from '@app/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UserManagementModule } from './app.module';
import { SERVICE_NAME, type UserManagementConfig } from './config';

export function createUserManagement(config: UserManagementConfig): Promise<NestFastifyApplication> {
  return createHttpApp(UserManagementModule.register(config), {
    service: SERVICE_NAME,
    logLevel: config.logLevel,
    title: 'Parley user-management',
    description: 'Orgs, people, job postings, interviews, meetings, recordings metadata and the audit log.',
    bodyLimitBytes: config.http.bodyLimitBytes,
    bearerSchemes: {
      staff: 'staff access token from POST /v1/auth/login',
      service: 'service token (HS256 with INTERNAL_API_KEYS) from video-streaming-server or the agent',
    },
  });
}
