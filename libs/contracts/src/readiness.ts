import { z } from 'zod';

export const DEPENDENCY_NAMES = ['postgres', 'redis', 'livekit', 'objectStore'] as const;
export const DependencyName = z.enum(DEPENDENCY_NAMES);
export type DependencyName = z.infer<typeof DependencyName>;

export const DependencyStatus = z.object({
  name: DependencyName,
  status: z.enum(['up', 'down']),
  /** A non-critical dependency being down degrades the service instead of taking it out of rotation. */
  critical: z.boolean(),
  latencyMs: z.number().nonnegative(),
  error: z.string().optional(),
});
export type DependencyStatus = z.infer<typeof DependencyStatus>;

export const ReadinessReport = z.object({
  service: z.string(),
  // ready: all up; degraded: only non-critical ones down (still 200); not_ready: a critical one down (503).
  status: z.enum(['ready', 'degraded', 'not_ready']),
  checkedAt: z.iso.datetime(),
  dependencies: z.array(DependencyStatus),
});
export type ReadinessReport = z.infer<typeof ReadinessReport>;
