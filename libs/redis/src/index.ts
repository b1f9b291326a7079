export * from './redis.module';
export * from './durable-queue';
