import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CapacityExceeded, CapacityGate } from './capacity-gate';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const settle = async <T>(promise: Promise<T>) => {
  let outcome: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => (outcome = { value, done: true }),
    (error: unknown) => (outcome = { error, done: true }),
  );
  await vi.advanceTimersByTimeAsync(0);
  return () => outcome;
};

describe('CapacityGate', () => {
  it('grants up to its capacity at once, then queues in order', async () => {
    const gate = new CapacityGate({ capacity: 2, maxQueue: 2, maxWaitMs: 1_000 });
    const a = await gate.acquire();
    await gate.acquire();
    expect(gate.inFlight).toBe(2);
    const third = await settle(gate.acquire());
    const fourth = await settle(gate.acquire());
    expect(gate.queued).toBe(2);
    expect(third().done).toBe(false);
    a();
    await vi.advanceTimersByTimeAsync(0);
    expect(third().done).toBe(true);
    expect(fourth().done).toBe(false);
    expect(gate.inFlight).toBe(2); // the permit passed on
  });

  it('refuses at once when the queue is full', async () => {
    const gate = new CapacityGate({ capacity: 1, maxQueue: 1, maxWaitMs: 1_000 });
    await gate.acquire();
    void gate.acquire().catch(() => undefined);
    const refused = await settle(gate.acquire());
    expect(refused().error).toBeInstanceOf(CapacityExceeded);
    expect((refused().error as CapacityExceeded).why).toBe('queue_full');
  });

  it('refuses a waiter after its bounded wait, and forgets it', async () => {
    const waits: Array<[number, boolean]> = [];
    const gate = new CapacityGate({
      capacity: 1,
      maxQueue: 5,
      maxWaitMs: 500,
      onWait: (ms, ok) => waits.push([ms, ok]),
    });
    const release = await gate.acquire();
    const waiting = await settle(gate.acquire());
    await vi.advanceTimersByTimeAsync(499);
    expect(waiting().done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((waiting().error as CapacityExceeded).why).toBe('wait_exceeded');
    expect(gate.queued).toBe(0);
    release();
    expect(gate.inFlight).toBe(0);
    expect(waits).toEqual([
      [0, true],
      [500, false],
    ]);
  });

  it('tryAcquire takes only spare permits nobody waits for', async () => {
    const gate = new CapacityGate({ capacity: 1, maxQueue: 5, maxWaitMs: 1_000 });
    const first = gate.tryAcquire();
    expect(first).toBeDefined();
    expect(gate.tryAcquire()).toBeUndefined();
    const waiting = await settle(gate.acquire());
    first!();
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting().done).toBe(true);
    expect(gate.tryAcquire()).toBeUndefined(); // the waiter holds it
  });

  it('a release counts once, and close() refuses every waiter', async () => {
    const gate = new CapacityGate({ capacity: 1, maxQueue: 5, maxWaitMs: 1_000 });
    const release = await gate.acquire();
    release();
    release();
    expect(gate.inFlight).toBe(0);
    await gate.acquire();
    const waiting = await settle(gate.acquire());
    gate.close();
    await vi.advanceTimersByTimeAsync(0);
    expect((waiting().error as CapacityExceeded).why).toBe('closed');
  });
});
