import 'reflect-metadata';
import { runMigrations } from '@app/database';
import { randomSecrets, startLocalStack, TEST_PROFILE } from '@app/devstack';
import Redis from 'ioredis';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };

// One real stack for the whole e2e run: livekit-server and versitygw on the test ports, a fresh
// parley_test database with the real migrations, Redis DB 15 emptied. Secrets are random per run.
export default async function setup(project: TestProject) {
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const stack = await startLocalStack(TEST_PROFILE, randomSecrets(), (message) =>
    console.log(`[test-stack] ${message}`),
  );
  await runMigrations({ url: stack.env.DATABASE_URL, applicationName: 'parley-test' });
  const redis = new Redis(stack.env.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
  console.log(`[test-stack] ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('stackEnv', stack.env);
  return async () => {
    await stack.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
  }
}
