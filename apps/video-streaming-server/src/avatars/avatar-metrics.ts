import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** R-A2/R-A3 metrics, per vendor, on the app's own registry. */
export class AvatarMetrics {
  readonly poolTokens: Gauge<'vendor'>;
  readonly queueLength: Gauge<'vendor'>;
  readonly inFlight: Gauge<'vendor'>;
  readonly queueWait: Histogram<'vendor' | 'outcome'>;
  readonly vendorLatency: Histogram<'vendor' | 'outcome'>;
  readonly vendorErrors: Counter<'vendor' | 'kind'>;
  readonly breakerState: Gauge<'vendor'>;
  readonly sessions: Counter<'vendor' | 'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.poolTokens = new Gauge({
      name: 'parley_avatar_pool_tokens',
      help: 'Ready avatar session tokens in the pool',
      labelNames: ['vendor'],
      registers,
    });
    this.queueLength = new Gauge({
      name: 'parley_avatar_queue_length',
      help: 'Avatar session requests waiting for vendor capacity',
      labelNames: ['vendor'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'parley_avatar_vendor_calls_in_flight',
      help: 'Vendor token mints in flight (bounded by AVATAR_CAPACITY)',
      labelNames: ['vendor'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'parley_avatar_queue_wait_seconds',
      help: 'Time an avatar session request waited for vendor capacity',
      labelNames: ['vendor', 'outcome'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.vendorLatency = new Histogram({
      name: 'parley_avatar_vendor_request_duration_seconds',
      help: 'Duration of one vendor session-token mint',
      labelNames: ['vendor', 'outcome'],
      buckets: [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers,
    });
    this.vendorErrors = new Counter({
      name: 'parley_avatar_vendor_errors_total',
      help: 'Failed vendor calls by kind (timeout, http_5xx, http_4xx, rate_limited, malformed, network)',
      labelNames: ['vendor', 'kind'],
      registers,
    });
    this.breakerState = new Gauge({
      name: 'parley_avatar_breaker_state',
      help: 'Circuit breaker per vendor: 0 closed, 1 half-open, 2 open',
      labelNames: ['vendor'],
      registers,
    });
    this.sessions = new Counter({
      name: 'parley_avatar_sessions_total',
      help: 'Avatar session requests by outcome (pool, minted, or the refusal reason)',
      labelNames: ['vendor', 'outcome'],
      registers,
    });
  }
}
