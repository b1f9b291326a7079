import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DependencyCheck } from '@app/observability';
import Redis from 'ioredis';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export interface RedisOptions {
  url: string;
  connectionName: string;
}

export function createRedisClient(options: RedisOptions): Redis {
  return new Redis(options.url, {
    connectionName: options.connectionName,
    connectTimeout: 2_000,
    // Fail a command after two reconnect attempts instead of queueing forever while Redis is down.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

@Injectable()
export class RedisCheck implements DependencyCheck {
  readonly name = 'redis' as const;
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async check(): Promise<void> {
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
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
