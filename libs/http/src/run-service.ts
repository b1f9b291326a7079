import { ConfigValidationError } from '@app/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The shape of every app's main.ts: parse config before anything starts (a bad variable stops
 * start-up with a message naming it, never its value), build the app, listen.
 */
export async function runService<C extends { http: { host: string; port: number } }>(
  service: string,
  loadConfig: () => C,
  createApp: (config: C) => Promise<NestFastifyApplication>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n${service} did not start.\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
}
