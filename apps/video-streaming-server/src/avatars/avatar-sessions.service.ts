import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '@app/errors';
import { MetricsRegistry } from '@app/observability';
import { z } from 'zod';
import type { MediaClient } from '../auth/media-client.guard';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { UserManagementClient } from '../user-management/user-management.client';
import type { AvatarProvider } from './avatar-provider';
import { AvatarMetrics } from './avatar-metrics';
import { AvatarUnavailable, AvatarVendorLane } from './avatar-vendor-lane';
import { AVATAR_VENDORS, type AvatarVendorName } from './avatars.env';
import { SimliProvider } from './simli.provider';
import { SpatiusProvider } from './spatius.provider';

/** What the UI shows instead of an avatar whenever it gets no session. */
export const AVATAR_FALLBACK = 'orb';

export const AvatarSessionRequest = z
  .object({ vendor: z.enum(AVATAR_VENDORS).optional().describe('default: the server’s AVATAR_VENDOR') })
  .strict();
export type AvatarSessionRequest = z.infer<typeof AvatarSessionRequest>;

export const AvatarSessionResponse = z.object({
  vendor: z.enum(AVATAR_VENDORS),
  token: z.string().describe('the vendor’s short-lived session token (single use)'),
  expiresAt: z.iso.datetime().describe('new connections with the token are refused after this'),
  iceServers: z
    .array(
      z.object({
        urls: z.union([z.string(), z.array(z.string())]),
        username: z.string().optional(),
        credential: z.string().optional(),
      }),
    )
    .optional()
    .describe('Simli: the ICE servers for its WebRTC session'),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .describe('the vendor’s public connection details (Simli: faceId, webSocketUrl; Spatius: appId)'),
  fallback: z.literal(AVATAR_FALLBACK).describe('what to show if the session cannot start'),
});
export type AvatarSessionResponse = z.infer<typeof AvatarSessionResponse>;

/** A refusal the UI answers with the orb: the reason, and the hint, travel together. */
export function avatarRefusal(
  code: DomainErrorCode,
  reason: string,
  message: string,
  retryAfterSeconds?: number,
): DomainError {
  return new DomainError(code, `${message}; fall back to the ${AVATAR_FALLBACK}`, {
    reason,
    fallback: AVATAR_FALLBACK,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

/**
 * R-A2/R-A3: the rules of handing out an avatar session. Only orgs whose tier includes avatars get
 * one (user-management's room context says); the vendor must be configured; the token comes from
 * the vendor's lane (pool, bounded queue, timeout, circuit breaker). Every refusal carries the
 * fallback hint, so the UI shows the orb instead.
 */
@Injectable()
export class AvatarSessionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AvatarSessions');
  private readonly lanes = new Map<AvatarVendorName, AvatarVendorLane>();
  private readonly metrics: AvatarMetrics;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly userManagement: UserManagementClient,
    registry: MetricsRegistry,
  ) {
    this.metrics = new AvatarMetrics(registry);
    const { simli, spatius, lane } = config.avatars;
    const providers: AvatarProvider[] = [];
    if (simli) providers.push(new SimliProvider(simli));
    if (spatius) providers.push(new SpatiusProvider(spatius));
    const log = {
      warn: (fields: Record<string, unknown>, message: string) => this.logger.warn(fields, message),
      info: (fields: Record<string, unknown>, message: string) => this.logger.log(fields, message),
    };
    for (const provider of providers) {
      this.lanes.set(provider.vendor, new AvatarVendorLane(provider, lane, this.metrics, log));
    }
  }

  onApplicationBootstrap(): void {
    for (const lane of this.lanes.values()) lane.start();
  }

  onModuleDestroy(): void {
    for (const lane of this.lanes.values()) lane.stop();
  }

  /** The lane of a vendor (tests and diagnostics). */
  lane(vendor: AvatarVendorName): AvatarVendorLane | undefined {
    return this.lanes.get(vendor);
  }

  async createSession(client: MediaClient, request: AvatarSessionRequest): Promise<AvatarSessionResponse> {
    const vendor = request.vendor ?? this.config.avatars.defaultVendor;
    const lane = this.lanes.get(vendor);
    if (!lane) {
      this.metrics.sessions.inc({ vendor, outcome: 'avatar_vendor_disabled' });
      throw avatarRefusal(
        DomainErrorCode.DependencyUnavailable,
        'avatar_vendor_disabled',
        `avatar vendor ${vendor} is not configured on this server`,
      );
    }
    await this.assertTierIncludesAvatars(client.room, vendor);
    try {
      const { grant, source } = await lane.acquire();
      this.metrics.sessions.inc({ vendor, outcome: source });
      return {
        vendor: grant.vendor,
        token: grant.token,
        expiresAt: new Date(grant.expiresAt).toISOString(),
        ...(grant.iceServers ? { iceServers: grant.iceServers } : {}),
        details: grant.details,
        fallback: AVATAR_FALLBACK,
      };
    } catch (err) {
      if (!(err instanceof AvatarUnavailable)) throw err;
      if (err.reason !== 'avatar_circuit_open') this.metrics.sessions.inc({ vendor, outcome: err.reason });
      throw avatarRefusal(DomainErrorCode.DependencyUnavailable, err.reason, err.message, err.retryAfterSeconds);
    }
  }

  private async assertTierIncludesAvatars(room: string, vendor: AvatarVendorName): Promise<void> {
    let avatarsEnabled: boolean;
    try {
      avatarsEnabled = (await this.userManagement.roomContext(room)).avatarsEnabled;
    } catch (err) {
      if (err instanceof DomainError && err.code === DomainErrorCode.DependencyUnavailable) {
        this.metrics.sessions.inc({ vendor, outcome: 'user_management_unavailable' });
        throw avatarRefusal(
          DomainErrorCode.DependencyUnavailable,
          'user_management_unavailable',
          'the room’s plan cannot be checked right now',
          5,
        );
      }
      throw err; // 404: no such room
    }
    if (!avatarsEnabled) {
      this.metrics.sessions.inc({ vendor, outcome: 'tier_without_avatar' });
      throw avatarRefusal(DomainErrorCode.Forbidden, 'tier_without_avatar', 'this organization’s plan has no avatar');
    }
  }
}
