import { z } from 'zod';

// Path ids are UUIDs: anything else is a 400 naming the parameter, before it can reach PostgreSQL.
export const IdParam = z.object({ id: z.uuid('must be a UUID') });

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
