import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { TELEMETRY_AUDIENCE, TELEMETRY_ISSUER, TelemetryClaims } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { reason } from './session-ticket.verifier';

const encoder = new TextEncoder();

// Telemetry JWTs authorize only heartbeats, client telemetry and recording control. They use their
// own HS256 keys (never a LiveKit secret), their own audience and issuer, and carry the key id, so
// LiveKit rejects them and we reject LiveKit tokens here. Several keys may be active (rotation):
// the first signs, all verify.
@Injectable()
export class TelemetryTokenService {
  private readonly keys: Map<string, Uint8Array>;
  private readonly signingKid: string;

  constructor(@Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig) {
    this.keys = new Map(config.telemetry.signingKeys.map((k) => [k.id, encoder.encode(k.secret)]));
    this.signingKid = config.telemetry.signingKeys[0].id;
  }

  /** The lifetime of every telemetry JWT, and when its holder should renew it (R-T3). */
  get lifetime(): { ttlSeconds: number; renewInMs: number } {
    const ttlSeconds = this.config.telemetry.ttlSeconds;
    // Two thirds in, so a client with a slow or failed first attempt still has a third to retry.
    return { ttlSeconds, renewInMs: Math.floor((ttlSeconds * 1000 * 2) / 3) };
  }

  async mint(subject: {
    identity: string;
    room: string;
    role?: string;
    org?: string;
  }): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.lifetime.ttlSeconds;
    const token = await new SignJWT({
      room: subject.room,
      ...(subject.role ? { role: subject.role } : {}),
      ...(subject.org ? { org: subject.org } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', kid: this.signingKid, typ: 'JWT' })
      .setSubject(subject.identity)
      .setAudience(TELEMETRY_AUDIENCE)
      .setIssuer(TELEMETRY_ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.keys.get(this.signingKid)!);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  async verify(token: string): Promise<TelemetryClaims> {
    let payload: unknown;
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = kid ? this.keys.get(kid) : undefined;
      if (!key) throw Object.assign(new Error('unknown key'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        audience: TELEMETRY_AUDIENCE,
        issuer: TELEMETRY_ISSUER,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: 5,
      }));
    } catch (err) {
      throw new DomainError(DomainErrorCode.Unauthenticated, `telemetry token rejected: ${reason(err)}`);
    }
    const claims = TelemetryClaims.safeParse(payload);
    if (!claims.success)
      throw new DomainError(DomainErrorCode.Unauthenticated, 'telemetry token rejected: claims are invalid');
    return claims.data;
  }
}
