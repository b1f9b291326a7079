import { Controller, Get, Inject, Injectable, Module, Res, type DynamicModule, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { DependencyStatus, ReadinessReport } from '@app/contracts';
import type { FastifyReply } from 'fastify';
import { Gauge } from 'prom-client';
import { DEPENDENCY_CHECKS, withTimeout, type DependencyCheck, type RegisteredCheck } from './dependency-check';
import { MetricsRegistry } from './metrics';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');
export interface HealthOptions {
  service: string;
  /** Per-dependency budget; a slower answer counts as down. */
  checkTimeoutMs?: number;
}

@Injectable()
export class ReadinessService {
  private readonly upGauge: Gauge;

  constructor(
    @Inject(DEPENDENCY_CHECKS) private readonly checks: RegisteredCheck[],
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Inject(MetricsRegistry) registry: MetricsRegistry,
  ) {
    this.upGauge = new Gauge({
      name: 'parley_dependency_up',
      help: '1 when the dependency answered the last readiness check, else 0',
      labelNames: ['dependency'],
      registers: [registry],
    });
  }

  async report(): Promise<ReadinessReport> {
    const timeoutMs = this.options.checkTimeoutMs ?? 2_000;
    const dependencies = await Promise.all(this.checks.map((entry) => this.run(entry, timeoutMs)));
    for (const dep of dependencies) this.upGauge.set({ dependency: dep.name }, dep.status === 'up' ? 1 : 0);
    const down = dependencies.filter((d) => d.status === 'down');
    return {
      service: this.options.service,
      status: down.length === 0 ? 'ready' : down.some((d) => d.critical) ? 'not_ready' : 'degraded',
      checkedAt: new Date().toISOString(),
      dependencies,
    };
  }

  private async run({ check, critical }: RegisteredCheck, timeoutMs: number): Promise<DependencyStatus> {
    const started = performance.now();
    try {
      await withTimeout(check.check(), timeoutMs, check.name);
      return { name: check.name, status: 'up', critical, latencyMs: elapsed(started) };
    } catch (err) {
      return { name: check.name, status: 'down', critical, latencyMs: elapsed(started), error: describe(err) };
    }
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;

// Error text goes into a response, so keep it short and free of connection strings.
function describe(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const text = [
    typeof e?.code === 'string' ? e.code : undefined,
    typeof e?.message === 'string' ? e.message : String(err),
  ]
    .filter(Boolean)
    .join(': ');
  return text.replace(/[a-z]+:\/\/[^\s]*/gi, '<url>').slice(0, 200);
}

@ApiTags('health')
@Controller()
class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly readiness: ReadinessService,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
  ) {}

  @Get('healthz')
  @ApiOkResponse({ description: 'The process is alive (says nothing about dependencies).' })
  liveness() {
    return {
      status: 'ok',
      service: this.options.service,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'Every dependency answered (ready), or only non-critical ones are down (degraded).' })
  @ApiServiceUnavailableResponse({ description: 'A critical dependency is down; the body says which.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    reply.status(report.status === 'not_ready' ? 503 : 200);
    reply.header('Cache-Control', 'no-store');
    return report;
  }
}

@Module({})
export class HealthModule {
  /** `checks`: critical by default; `{ use, critical: false }` for a dependency whose loss only degrades. */
  static forRoot(
    options: HealthOptions & { checks: Array<Type<DependencyCheck> | { use: Type<DependencyCheck>; critical: false }> },
  ): DynamicModule {
    const { checks, ...rest } = options;
    const entries = checks.map((c) =>
      'use' in c ? { type: c.use, critical: c.critical } : { type: c, critical: true },
    );
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        { provide: HEALTH_OPTIONS, useValue: rest },
        {
          provide: DEPENDENCY_CHECKS,
          inject: entries.map((e) => e.type),
          useFactory: (...instances: DependencyCheck[]): RegisteredCheck[] =>
            instances.map((check, i) => ({ check, critical: entries[i].critical })),
        },
        ReadinessService,
      ],
      exports: [ReadinessService],
    };
  }
}
