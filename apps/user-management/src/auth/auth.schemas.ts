import { z } from 'zod';

export const Email = z
  .email('must be an email address')
  .max(320)
  .transform((e) => e.trim().toLowerCase());
export const Password = z.string().min(12, 'must be at least 12 characters').max(256);

export const LoginRequest = z.object({ email: Email, password: z.string().min(1).max(256) });
export const RefreshRequest = z.object({ refreshToken: z.string().min(1).max(200) });

export const StaffSessionResponse = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.iso.datetime(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.iso.datetime(),
  user: z.object({ id: z.uuid(), orgId: z.uuid(), email: z.string(), displayName: z.string(), role: z.string() }),
});
