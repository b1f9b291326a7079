import { createHttpApp, type HttpAppOptions } from '@app/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { UserManagementModule } from './app.module';
import { SERVICE_NAME, type UserManagementConfig } from './config';
import { serveWebApp } from './web-app/serve-web-app';

export async function createUserManagement(
  config: UserManagementConfig,
  // For tests: e.g. a log capture stream.
  overrides: Pick<HttpAppOptions, 'logDestination'> = {},
): Promise<NestFastifyApplication> {
  const app = await createHttpApp(UserManagementModule.register(config), {
    service: SERVICE_NAME,
    logLevel: config.logLevel,
    title: 'Parley user-management',
    description: 'Orgs, people, job postings, interviews, meetings, recordings metadata and the audit log.',
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    bearerSchemes: {
      staff: 'staff access token from POST /v1/auth/login',
      service:
        'service token (HS256, signed with the calling service’s own key from INTERNAL_API_KEYS) from video-streaming-server or the agent',
    },
    ...overrides,
  });
  // The web app (candidates' invite links, staff pages) is served from here, at `/`.
  await serveWebApp(app, config.web.appDir);
  return app;
}
