import {
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  isBrokenCircuitError,
  isTaskCancelledError,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { AvatarVendorError, type AvatarProvider, type AvatarSessionGrant } from './avatar-provider';
import type { AvatarMetrics } from './avatar-metrics';
import type { AvatarLaneSettings, AvatarVendorName } from './avatars.env';
import { CapacityExceeded, CapacityGate } from './capacity-gate';
import { TokenPool } from './token-pool';

export type AvatarUnavailableReason = 'avatar_circuit_open' | 'avatar_capacity' | 'avatar_vendor_unavailable';

/** No avatar session now; the UI shows the orb. */
export class AvatarUnavailable extends Error {
  constructor(
    readonly vendor: AvatarVendorName,
    readonly reason: AvatarUnavailableReason,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'AvatarUnavailable';
  }
}

export interface LaneLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

const BREAKER_STATE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

/**
 * R-A2/R-A3: everything between the endpoint and one vendor. A request takes a ready token from
 * the pool; with none, it mints one within the vendor's capacity (waiting in the bounded queue
 * when that is all in use). Every vendor call has a deadline and goes through the vendor's circuit
 * breaker; while the circuit is open, requests are refused at once (503, the UI shows the orb).
 * The pool is refilled in the background with spare capacity only, and refreshed before its
 * tokens expire. State is per vendor and per process, in memory: no lock, no Redis, nothing shared
 * with other endpoints.
 */
export class AvatarVendorLane {
  readonly vendor: AvatarVendorName;
  private readonly pool: TokenPool;
  private readonly gate: CapacityGate;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private openedAt = 0;
  private refilling = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly provider: AvatarProvider,
    private readonly settings: AvatarLaneSettings,
    private readonly metrics?: AvatarMetrics,
    private readonly log?: LaneLog,
    now?: () => number,
  ) {
    this.vendor = provider.vendor;
    this.now = now ?? Date.now;
    this.pool = new TokenPool({
      target: settings.poolSize,
      marginMs: settings.tokenMarginMs,
      refreshAheadMs: settings.refreshAheadMs,
      now: this.now,
    });
    this.gate = new CapacityGate({
      capacity: settings.capacity,
      maxQueue: settings.queueMax,
      maxWaitMs: settings.queueWaitMs,
      now: this.now,
      onWait: (ms, granted) =>
        this.metrics?.queueWait.observe({ vendor: this.vendor, outcome: granted ? 'granted' : 'refused' }, ms / 1000),
    });
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: settings.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    });
    this.breaker.onBreak(() => {
      this.openedAt = this.now();
      this.log?.warn({ vendor: this.vendor }, `${this.vendor}: circuit open, avatar sessions fall back to the orb`);
    });
    this.breaker.onReset(() => this.log?.info({ vendor: this.vendor }, `${this.vendor}: circuit closed again`));
    this.breaker.onStateChange((state) =>
      this.metrics?.breakerState.set({ vendor: this.vendor }, BREAKER_STATE[state]),
    );
    this.policy = wrap(this.breaker, timeout(settings.vendorTimeoutMs, TimeoutStrategy.Aggressive));
    this.metrics?.breakerState.set({ vendor: this.vendor }, 0);
    this.gauges();
  }

  /** Fills the pool and keeps it fresh until stop(). */
  start(): void {
    this.refill();
    const tick = Math.max(100, Math.min(5_000, Math.floor(this.settings.refreshAheadMs / 2) || 1_000));
    this.timer = setInterval(() => this.tick(), tick);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.gate.close();
    this.pool.clear();
    this.gauges();
  }

  /** One session grant, or AvatarUnavailable. */
  async acquire(): Promise<{ grant: AvatarSessionGrant; source: 'pool' | 'minted' }> {
    this.assertCircuitClosed();
    const pooled = this.pool.take();
    if (pooled) {
      this.refill();
      this.gauges();
      return { grant: pooled, source: 'pool' };
    }
    let release: () => void;
    try {
      const waiting = this.gate.acquire();
      this.gauges();
      release = await waiting;
    } catch (err) {
      this.gauges();
      if (err instanceof CapacityExceeded) {
        throw new AvatarUnavailable(
          this.vendor,
          'avatar_capacity',
          `${this.vendor} is at capacity (${err.message})`,
          Math.max(1, Math.ceil(this.settings.queueWaitMs / 1000)),
        );
      }
      throw err;
    }
    try {
      // A refill may have landed while this request waited, and the circuit may have opened.
      const landed = this.pool.take();
      if (landed) return { grant: landed, source: 'pool' };
      this.assertCircuitClosed();
      return { grant: await this.mint(), source: 'minted' };
    } finally {
      release();
      this.refill();
      this.gauges();
    }
  }

  /** For tests and diagnostics. */
  snapshot() {
    return {
      pool: this.pool.size,
      inFlight: this.gate.inFlight,
      queued: this.gate.queued,
      breaker: this.breaker.state,
    };
  }

  private tick(): void {
    if (this.pool.prune() > 0) this.gauges();
    this.refill();
  }

  private circuitRefuses(): boolean {
    const state = this.breaker.state;
    if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) return true; // a probe is running
    return state === CircuitState.Open && this.now() - this.openedAt < this.settings.breakerHalfOpenMs;
  }

  private assertCircuitClosed(): void {
    if (!this.circuitRefuses()) return;
    const left = this.openedAt + this.settings.breakerHalfOpenMs - this.now();
    this.metrics?.sessions.inc({ vendor: this.vendor, outcome: 'avatar_circuit_open' });
    throw new AvatarUnavailable(
      this.vendor,
      'avatar_circuit_open',
      `${this.vendor} is failing; avatar sessions are paused`,
      Math.max(1, Math.ceil(left / 1000)),
    );
  }

  /** Starts background mints with spare capacity, up to the pool's deficit. */
  private refill(): void {
    if (this.stopped || this.circuitRefuses()) return;
    let deficit = this.pool.deficit(this.refilling);
    while (deficit-- > 0) {
      const release = this.gate.tryAcquire();
      if (!release) break;
      this.refilling++;
      void this.mint()
        .then(
          (grant) => {
            this.pool.put(grant);
          },
          () => undefined, // counted and logged in mint(); the next tick tries again
        )
        .finally(() => {
          this.refilling--;
          release();
          this.gauges();
        });
    }
    this.gauges();
  }

  private async mint(): Promise<AvatarSessionGrant> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let timedOut = false;
    try {
      const grant = await this.policy.execute(({ signal }) =>
        this.provider.createSession(signal).catch((err: unknown) => {
          // The deadline aborts the vendor's fetch, whose AbortError may arrive before cockatiel's
          // own error (the signal is also aborted after any return: only look at it now).
          timedOut = signal.aborted;
          throw err;
        }),
      );
      this.metrics?.vendorLatency.observe({ vendor: this.vendor, outcome: 'ok' }, seconds());
      return grant;
    } catch (err) {
      if (isBrokenCircuitError(err)) {
        throw new AvatarUnavailable(
          this.vendor,
          'avatar_circuit_open',
          `${this.vendor} is failing; avatar sessions are paused`,
          Math.max(1, Math.ceil(this.settings.breakerHalfOpenMs / 1000)),
        );
      }
      const kind =
        isTaskCancelledError(err) || timedOut ? 'timeout' : err instanceof AvatarVendorError ? err.kind : 'network';
      this.metrics?.vendorLatency.observe({ vendor: this.vendor, outcome: kind }, seconds());
      this.metrics?.vendorErrors.inc({ vendor: this.vendor, kind });
      // The message only: never the request (headers hold the key) nor the vendor's body.
      const message =
        kind === 'timeout'
          ? `${this.vendor} did not answer within ${this.settings.vendorTimeoutMs} ms`
          : (err as Error).message;
      this.log?.warn({ vendor: this.vendor, kind }, `avatar vendor call failed: ${message}`);
      const retryAfter = err instanceof AvatarVendorError ? err.retryAfterSeconds : undefined;
      throw new AvatarUnavailable(this.vendor, 'avatar_vendor_unavailable', message, retryAfter ?? 1);
    }
  }

  private gauges(): void {
    if (!this.metrics) return;
    this.metrics.poolTokens.set({ vendor: this.vendor }, this.pool.size);
    this.metrics.queueLength.set({ vendor: this.vendor }, this.gate.queued);
    this.metrics.inFlight.set({ vendor: this.vendor }, this.gate.inFlight);
  }
}
