import { errors, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { z } from 'zod';

// Service-to-service authentication for user-management's internal API. Each calling service has
// its own keys (VSS_INTERNAL_API_KEY, AGENT_INTERNAL_API_KEY; several active during a rotation) and
// signs a JWT of at most a minute naming itself as issuer; user-management knows every key's owner
// (INTERNAL_API_KEYS, id:secret:caller) and refuses a token whose issuer is not the owner of the
// key that signed it, so one service's key cannot speak for another. Each route then allows only
// the callers that need it. Staff tokens and session tickets are signed with other keys and carry
// other audiences, so neither can pass for a service token.
export const SERVICE_TOKEN_AUDIENCE = 'parley:user-management:internal';
export const SERVICE_TOKEN_MAX_TTL_SECONDS = 5 * 60;
export const SERVICE_CALLERS = ['video-streaming-server', 'interviewer-agent'] as const;
export const ServiceCaller = z.enum(SERVICE_CALLERS);
export type ServiceCaller = z.infer<typeof ServiceCaller>;

export interface ServiceKey {
  id: string;
  secret: string;
}

/** A key as the verifier knows it: with the one service allowed to sign with it. */
export interface OwnedServiceKey extends ServiceKey {
  caller: ServiceCaller;
}

/** Env parser for the verifier's keys: `id:secret:caller,…` (caller: one of SERVICE_CALLERS). */
export const ownedServiceKeyRing = (minSecretLength: number) =>
  z.string({ error: 'is required but not set' }).transform((raw, ctx): OwnedServiceKey[] => {
    const keys: OwnedServiceKey[] = [];
    const entries = raw
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    entries.forEach((entry, index) => {
      const [id = '', secret = '', caller = '', ...rest] = entry.split(':').map((part) => part.trim());
      const owner = ServiceCaller.safeParse(caller);
      const problem = !/^[A-Za-z0-9_.-]{1,64}$/.test(id)
        ? 'must look like id:secret:caller (id: letters, digits, _ . -)'
        : secret.length < minSecretLength
          ? `(${id}) has a secret shorter than ${minSecretLength} characters`
          : !owner.success || rest.length > 0
            ? `(${id}) must end with the calling service, one of ${SERVICE_CALLERS.join(', ')} (id:secret:caller)`
            : keys.some((k) => k.id === id)
              ? `(${id}): key id appears twice`
              : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ${problem}` });
      else keys.push({ id, secret, caller: owner.data! });
    });
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one id:secret:caller' });
    return keys;
  });

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

/**
 * Verifies a service token against the active keys; throws ServiceTokenRejected with the reason.
 * A key that names its owner only verifies tokens issued by that owner.
 */
export async function verifyServiceToken(
  token: string,
  keys: readonly (ServiceKey | OwnedServiceKey)[],
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
    if ('caller' in key && key.caller !== claims.data.iss)
      throw new ServiceTokenRejected(`key ${key.id} belongs to ${key.caller}, not to ${claims.data.iss}`);
    return { caller: claims.data.iss };
  } catch (err) {
    if (err instanceof ServiceTokenRejected) throw err;
    if (err instanceof errors.JWTExpired) throw new ServiceTokenRejected('expired');
    if (err instanceof errors.JOSEError) throw new ServiceTokenRejected(err.code);
    throw err;
  }
}
