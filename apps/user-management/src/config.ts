import { httpEnv, objectStoreEnv, parseEnv, postgresEnv, redisEnv, toHttpConfig, toObjectStoreConfig } from '@app/config';
import { z } from 'zod';

export const SERVICE_NAME = 'user-management';

export const UserManagementEnv = z
  .object({ ...httpEnv(3000), ...postgresEnv, ...redisEnv, ...objectStoreEnv })
  .transform((env) => ({
    http: toHttpConfig(env),
    logLevel: env.LOG_LEVEL,
    database: { url: env.DATABASE_URL, applicationName: SERVICE_NAME },
    redis: { url: env.REDIS_URL, connectionName: SERVICE_NAME },
    objectStore: toObjectStoreConfig(env),
  }));
export type UserManagementConfig = z.output<typeof UserManagementEnv>;

export const loadUserManagementConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(SERVICE_NAME, UserManagementEnv, env);
