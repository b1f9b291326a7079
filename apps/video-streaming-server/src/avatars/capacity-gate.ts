/** Why a request got no capacity: the queue was full, or it waited its whole bound. */
export class CapacityExceeded extends Error {
  constructor(
    readonly why: 'queue_full' | 'wait_exceeded' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'CapacityExceeded';
  }
}

export type Release = () => void;

export interface CapacityGateOptions {
  /** Permits: vendor calls in flight at once. */
  capacity: number;
  /** Waiters at most; one more is refused at once. */
  maxQueue: number;
  /** How long a waiter waits for a permit before it is refused. */
  maxWaitMs: number;
  /** Observes every wait that ended (granted or not), in ms. */
  onWait?: (waitedMs: number, granted: boolean) => void;
  now?: () => number;
}

interface Waiter {
  grant: (release: Release) => void;
  refuse: (error: CapacityExceeded) => void;
  timer: NodeJS.Timeout;
  since: number;
}

/**
 * R-A2: a vendor's capacity, a counting semaphore with a bounded FIFO queue and a bounded wait.
 * Requests wait (acquire); pool refills only take spare permits nobody is waiting for
 * (tryAcquire), so queued requests always go first. Pure in-process state: nothing here is
 * shared with any other endpoint, and nothing blocks the event loop.
 */
export class CapacityGate {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: CapacityGateOptions) {
    this.now = options.now ?? Date.now;
  }

  get inFlight(): number {
    return this.inUse;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** A permit now, or undefined when none is spare (or someone is waiting for one). */
  tryAcquire(): Release | undefined {
    if (this.closed || this.inUse >= this.options.capacity || this.waiters.length > 0) return undefined;
    this.inUse++;
    return this.releaser();
  }

  /** A permit, waiting in the queue when none is spare; rejects with CapacityExceeded. */
  acquire(): Promise<Release> {
    if (this.closed) return Promise.reject(new CapacityExceeded('closed', 'shutting down'));
    const now = this.tryAcquire();
    if (now) {
      this.options.onWait?.(0, true);
      return Promise.resolve(now);
    }
    if (this.waiters.length >= this.options.maxQueue) {
      this.options.onWait?.(0, false);
      return Promise.reject(
        new CapacityExceeded('queue_full', `all ${this.options.capacity} vendor slots are busy and the queue is full`),
      );
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        since: this.now(),
        grant: resolve,
        refuse: reject,
        timer: setTimeout(() => {
          this.remove(waiter);
          this.options.onWait?.(this.now() - waiter.since, false);
          reject(new CapacityExceeded('wait_exceeded', `no vendor slot came free within ${this.options.maxWaitMs} ms`));
        }, this.options.maxWaitMs),
      };
      waiter.timer.unref?.();
      this.waiters.push(waiter);
    });
  }

  /** Refuses every waiter (shutdown). */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.refuse(new CapacityExceeded('closed', 'shutting down'));
    }
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        // The permit passes straight to the longest waiter: inUse stays the same.
        clearTimeout(next.timer);
        this.options.onWait?.(this.now() - next.since, true);
        next.grant(this.releaser());
      } else {
        this.inUse--;
      }
    };
  }

  private remove(waiter: Waiter): void {
    const at = this.waiters.indexOf(waiter);
    if (at >= 0) this.waiters.splice(at, 1);
  }
}
