import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DependencyCheck } from '@app/observability';
import Redis from 'ioredis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export interface RedisOptions {
  url: string;
  connectionName: string;
}

const logger = new Logger('Redis');

/** ioredis emits 'error' on every failed reconnect; unhandled, Node prints a stack each time. */
export function logRedisErrors(client: Redis, name: string): Redis {
  let lastLogged = 0;
  client.on('error', (err: Error) => {
    // Reconnects retry every few hundred ms; one line per 5 s is enough to see the outage.
    if (Date.now() - lastLogged < 5_000) return;
    lastLogged = Date.now();
    logger.warn(
      { err: { message: err.message, code: (err as { code?: string }).code }, connection: name },
      'Redis connection error',
    );
  });
  return client;
}

export function createRedisClient(options: RedisOptions): Redis {
  return logRedisErrors(
    new Redis(options.url, {
      connectionName: options.connectionName,
      connectTimeout: 2_000,
      // Fail a command after two reconnect attempts instead of queueing forever while Redis is down.
      maxRetriesPerRequest: 2,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }),
    options.connectionName,
  );
}

@Injectable()
export class RedisCheck implements DependencyCheck {
  readonly name = 'redis' as const;
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async check(): Promise<void> {
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${String(pong)}`);
  }
}

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_CLIENT, useFactory: () => createRedisClient(options) }, RedisLifecycle, RedisCheck],
      exports: [REDIS_CLIENT, RedisCheck],
    };
  }
}
