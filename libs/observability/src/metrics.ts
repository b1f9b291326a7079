import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

// One registry per app instance (not prom-client's global one), so two apps in one process
// (as in the e2e tests) never collide on metric names.
export class MetricsRegistry extends Registry {}

export const HTTP_REQUEST_DURATION = Symbol('HTTP_REQUEST_DURATION');

@ApiExcludeController()
@Controller()
class MetricsController {
  constructor(@Inject(MetricsRegistry) private readonly registry: MetricsRegistry) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        {
          provide: MetricsRegistry,
          useFactory: () => {
            const registry = new MetricsRegistry();
            registry.setDefaultLabels({ service });
            collectDefaultMetrics({ register: registry, prefix: 'parley_' });
            return registry;
          },
        },
        {
          provide: HTTP_REQUEST_DURATION,
          inject: [MetricsRegistry],
          useFactory: (registry: MetricsRegistry) =>
            new Histogram({
              name: 'parley_http_request_duration_seconds',
              help: 'HTTP request duration by route and status code',
              labelNames: ['method', 'route', 'status_code'],
              buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
              registers: [registry],
            }),
        },
      ],
      exports: [MetricsRegistry, HTTP_REQUEST_DURATION],
    };
  }
}
