import { CircuitState } from 'cockatiel';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AvatarVendorError, type AvatarProvider, type AvatarSessionGrant } from './avatar-provider';
import { AvatarMetrics } from './avatar-metrics';
import { AvatarUnavailable, AvatarVendorLane } from './avatar-vendor-lane';
import type { AvatarLaneSettings } from './avatars.env';

type Behaviour = 'ok' | 'hang' | 'fail';

class FakeProvider implements AvatarProvider {
  readonly vendor = 'spatius' as const;
  behaviour: Behaviour = 'ok';
  delayMs = 0;
  ttlMs = 60_000;
  calls = 0;
  aborted = 0;
  private n = 0;

  async createSession(signal: AbortSignal): Promise<AvatarSessionGrant> {
    this.calls++;
    signal.addEventListener('abort', () => this.aborted++);
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.behaviour === 'fail') throw new AvatarVendorError('spatius', 'http_5xx', 'spatius answered 502', 502);
    return { vendor: 'spatius', token: `t${++this.n}`, expiresAt: Date.now() + this.ttlMs, details: {} };
  }
}

const SETTINGS: AvatarLaneSettings = {
  capacity: 2,
  poolSize: 0,
  queueMax: 2,
  queueWaitMs: 300,
  tokenMarginMs: 1_000,
  refreshAheadMs: 1_000,
  vendorTimeoutMs: 100,
  breakerFailures: 2,
  breakerHalfOpenMs: 300,
};

const lanes: AvatarVendorLane[] = [];
function laneWith(provider: FakeProvider, settings: Partial<AvatarLaneSettings> = {}, registry = new Registry()) {
  const lane = new AvatarVendorLane(provider, { ...SETTINGS, ...settings }, new AvatarMetrics(registry));
  lanes.push(lane);
  return lane;
}
afterEach(() => {
  for (const lane of lanes.splice(0)) lane.stop();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof AvatarUnavailable ? err.reason : String(err)),
  );

describe('AvatarVendorLane', () => {
  it('fills its pool in the background and serves from it', async () => {
    const provider = new FakeProvider();
    const lane = laneWith(provider, { poolSize: 2 });
    lane.start();
    await sleep(20);
    expect(lane.snapshot().pool).toBe(2);
    const { grant, source } = await lane.acquire();
    expect(source).toBe('pool');
    expect(grant.token).toMatch(/^t\d$/);
    await sleep(20);
    expect(lane.snapshot().pool).toBe(2); // topped up again
  });

  it('at twice its capacity, the queue holds the rest; beyond the queue, refused at once', async () => {
    const provider = new FakeProvider();
    provider.delayMs = 50;
    const lane = laneWith(provider, { vendorTimeoutMs: 1_000 });
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => reasonOf(lane.acquire())));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4); // 2 in flight + 2 queued
    expect(outcomes.filter((o) => o === 'avatar_capacity')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('a queued request gets its 503 within the queue’s wait bound', async () => {
    const provider = new FakeProvider();
    provider.behaviour = 'hang';
    const lane = laneWith(provider, { vendorTimeoutMs: 5_000, breakerFailures: 100, queueWaitMs: 200 });
    const inFlight = [lane.acquire(), lane.acquire()].map(reasonOf);
    const started = Date.now();
    expect(await reasonOf(lane.acquire())).toBe('avatar_capacity');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(400);
    lane.stop();
    void inFlight;
  });

  it('a hanging vendor times out, opens the circuit; open answers at once; recovery closes it', async () => {
    const provider = new FakeProvider();
    provider.behaviour = 'hang';
    const lane = laneWith(provider);
    expect(await reasonOf(lane.acquire())).toBe('avatar_vendor_unavailable');
    expect(await reasonOf(lane.acquire())).toBe('avatar_vendor_unavailable');
    expect(provider.aborted).toBe(2); // the timeout aborted the vendor calls
    expect(lane.snapshot().breaker).toBe(CircuitState.Open);
    const started = Date.now();
    expect(await reasonOf(lane.acquire())).toBe('avatar_circuit_open');
    expect(Date.now() - started).toBeLessThan(20);
    expect(provider.calls).toBe(2); // no vendor call while open

    provider.behaviour = 'ok';
    await sleep(320);
    expect(await reasonOf(lane.acquire())).toBe('ok'); // the half-open probe succeeds
    expect(lane.snapshot().breaker).toBe(CircuitState.Closed);
  });

  it('never hands out a pooled token inside the margin', async () => {
    const provider = new FakeProvider();
    provider.ttlMs = 1_150; // margin 1 000 ms: valid for 150 ms only
    const lane = laneWith(provider, { poolSize: 1, refreshAheadMs: 0 });
    lane.start();
    await sleep(20);
    expect(lane.snapshot().pool).toBe(1);
    const first = provider.calls;
    await sleep(200);
    const { grant, source } = await lane.acquire();
    expect(grant.expiresAt - Date.now()).toBeGreaterThanOrEqual(1_000);
    expect(source === 'minted' || provider.calls > first).toBe(true);
  });

  it('counts vendor errors and shows the breaker in the metrics', async () => {
    const registry = new Registry();
    const provider = new FakeProvider();
    provider.behaviour = 'fail';
    const lane = laneWith(provider, {}, registry);
    await reasonOf(lane.acquire());
    await reasonOf(lane.acquire());
    const text = await registry.metrics();
    expect(text).toMatch(/parley_avatar_vendor_errors_total\{vendor="spatius",kind="http_5xx"\} 2/);
    expect(text).toMatch(/parley_avatar_breaker_state\{vendor="spatius"\} 2/);
  });
});
