import { errors, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { z } from 'zod';

// Service-to-service authentication for user-management's internal API. The calling service
// signs a JWT of at most a minute with a key from INTERNAL_API_KEYS (shared by id, several active
// during a rotation); user-management verifies it. Staff tokens and session tickets are signed
// with other keys and carry other audiences, so neither can pass for a service token.
export const SERVICE_TOKEN_AUDIENCE = 'parley:user-management:internal';
export const SERVICE_TOKEN_MAX_TTL_SECONDS = 5 * 60;
export const SERVICE_CALLERS = ['video-streaming-server', 'interviewer-agent'] as const;
export const ServiceCaller = z.enum(SERVICE_CALLERS);
export type ServiceCaller = z.infer<typeof ServiceCaller>;

export interface ServiceKey {
  id: string;
  secret: string;
}

const ServiceTokenClaims = z
  .object({ iss: ServiceCaller, aud: z.literal(SERVICE_TOKEN_AUDIENCE), iat: z.number().int(), exp: z.number().int() })
  .refine(
    (c) => c.exp > c.iat && c.exp - c.iat <= SERVICE_TOKEN_MAX_TTL_SECONDS,
    'token lifetime must be at most 5 minutes',
  );

export async function signServiceToken(key: ServiceKey, caller: ServiceCaller, ttlSeconds = 60): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', kid: key.id, typ: 'JWT' })
    .setIssuer(caller)
    .setAudience(SERVICE_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${Math.min(ttlSeconds, SERVICE_TOKEN_MAX_TTL_SECONDS)}s`)
    .sign(new TextEncoder().encode(key.secret));
}

export class ServiceTokenRejected extends Error {}

/** Verifies a service token against the active keys; throws ServiceTokenRejected with the reason. */
export async function verifyServiceToken(
  token: string,
  keys: readonly ServiceKey[],
): Promise<{ caller: ServiceCaller }> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new ServiceTokenRejected('not a JWT');
  }
  const key = keys.find((k) => k.id === kid);
  if (!key) throw new ServiceTokenRejected('unknown key id');
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(key.secret), {
      algorithms: ['HS256'],
      audience: SERVICE_TOKEN_AUDIENCE,
      requiredClaims: ['iss', 'iat', 'exp'],
    });
    const claims = ServiceTokenClaims.safeParse(payload);
    if (!claims.success) throw new ServiceTokenRejected(claims.error.issues[0]?.message ?? 'invalid claims');
    return { caller: claims.data.iss };
  } catch (err) {
    if (err instanceof ServiceTokenRejected) throw err;
    if (err instanceof errors.JWTExpired) throw new ServiceTokenRejected('expired');
    if (err instanceof errors.JOSEError) throw new ServiceTokenRejected(err.code);
    throw err;
  }
}
