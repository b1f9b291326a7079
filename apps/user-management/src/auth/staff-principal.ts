import { z } from 'zod';
import { USER_ROLES, type UserRole } from '../persistence/entities';

// Staff access tokens: HS256 with STAFF_JWT_KEYS, their own audience and a typ claim, so neither
// a session ticket (EdDSA, the media plane's audience) nor a service token passes for one.
export const STAFF_TOKEN_ISSUER = 'parley:user-management';
export const STAFF_TOKEN_AUDIENCE = 'parley:user-management:staff';
export const STAFF_TOKEN_TYPE = 'staff_access';

export const StaffAccessClaims = z.object({
  sub: z.uuid(),
  org: z.uuid(),
  role: z.enum(USER_ROLES),
  typ: z.literal(STAFF_TOKEN_TYPE),
  // The user's token version when the token was issued (tokens from before versions existed: 0).
  ver: z.number().int().min(0).default(0),
});

export interface StaffPrincipal {
  userId: string;
  orgId: string;
  role: UserRole;
}

/** Roles that make up an org's hiring team: they may read results and replay recordings. */
export const HIRING_TEAM: readonly UserRole[] = ['admin', 'recruiter', 'hiring_manager'];
/** Roles that run the pipeline: job postings, candidates, interviews, meetings. */
export const RECRUITING: readonly UserRole[] = ['admin', 'recruiter'];
