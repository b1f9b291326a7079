import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DependencyCheck } from '@app/observability';
import { ObjectStore, type ObjectStoreOptions } from './object-store';

@Injectable()
export class ObjectStoreCheck implements DependencyCheck {
  readonly name = 'objectStore' as const;
  constructor(private readonly store: ObjectStore) {}

  async check(): Promise<void> {
    await this.store.headBucket();
  }
}

@Injectable()
class ObjectStoreLifecycle implements OnApplicationShutdown {
  constructor(private readonly store: ObjectStore) {}
  onApplicationShutdown(): void {
    this.store.destroy();
  }
}

@Global()
@Module({})
export class ObjectStoreModule {
  static forRoot(options: ObjectStoreOptions): DynamicModule {
    return {
      module: ObjectStoreModule,
      providers: [
        { provide: ObjectStore, useFactory: () => ObjectStore.fromOptions(options) },
        ObjectStoreLifecycle,
        ObjectStoreCheck,
      ],
      exports: [ObjectStore, ObjectStoreCheck],
    };
  }
}
