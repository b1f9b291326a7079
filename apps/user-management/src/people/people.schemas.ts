import { z } from 'zod';
import { Email, Password } from '../auth/auth.schemas';
import { USER_ROLES } from '../persistence/entities';

export const CreateUserRequest = z.strictObject({
  email: Email,
  displayName: z.string().trim().min(1).max(200),
  role: z.enum(USER_ROLES),
  password: Password,
});
export const UserView = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(USER_ROLES),
  active: z.boolean().describe('false once deactivated: no sign-in, no refresh, access tokens refused'),
  deactivatedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export const ChangeRoleRequest = z.strictObject({ role: z.enum(USER_ROLES) });

export const CreateCandidateRequest = z.strictObject({ email: Email, fullName: z.string().trim().min(1).max(200) });
export const CandidateView = z.object({
  id: z.uuid(),
  email: z.string(),
  fullName: z.string(),
  createdAt: z.iso.datetime(),
});
