import { z } from 'zod';

// Every error response of every app has this shape (built by the global exception filter).
export const ApiErrorBody = z.object({
  statusCode: z.number().int().min(400).max(599),
  code: z.string().describe('stable, machine-readable error code'),
  message: z.string().describe('what is wrong, for a human'),
  reason: z
    .string()
    .optional()
    .describe('a machine-readable reason within the code (too_early, consent_required, …), where the service has one'),
  fallback: z
    .string()
    .optional()
    .describe(
      'what a client shows instead when a vendor-backed feature cannot answer (orb, captions); also the x-parley-fallback header',
    ),
  requestId: z.string().optional(),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('for validation errors: which field is wrong and why'),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** The header that repeats an error's fallback hint (for clients that do not read error bodies). */
export const FALLBACK_HEADER = 'x-parley-fallback';
