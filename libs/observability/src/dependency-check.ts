import type { DependencyName } from '@app/contracts';

// Each infrastructure lib ships one of these; an app lists the ones it depends on in HealthModule.
export interface DependencyCheck {
  readonly name: DependencyName;
  /** Resolves when the dependency answers; rejects (or is timed out by the caller) otherwise. */
  check(): Promise<void>;
}

export const DEPENDENCY_CHECKS = Symbol('DEPENDENCY_CHECKS');

export interface RegisteredCheck {
  check: DependencyCheck;
  critical: boolean;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
