import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  LiveKitTokenResponse,
  ObserverTokenRequest,
  ParticipantTokenRequest,
  ParticipantTokenResponse,
  TelemetryTokenResponse,
} from '@app/contracts';
import { parseRoomName } from '@app/room-naming';
import { DomainError, DomainErrorCode } from '@app/errors';
import { decodeJwt } from 'jose';
import { AccessToken, type VideoGrant } from 'livekit-server-sdk';
import { LiveKitKeyRing } from '../auth/livekit-key-ring';
import { SessionTicketVerifier } from '../auth/session-ticket.verifier';
import { TelemetryTokenService } from '../auth/telemetry-token.service';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from '../sessions/session.repository';
import { grantFor, observerGrant } from '@app/livekit';

@Injectable()
export class TokensService {
  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly tickets: SessionTicketVerifier,
    private readonly telemetryTokens: TelemetryTokenService,
    private readonly keyRing: LiveKitKeyRing,
    private readonly sessions: SessionRepository,
  ) {}

  /** R-T1: a LiveKit token for exactly the ticket's room and identity, with the role's grants. */
  async participantToken(request: ParticipantTokenRequest): Promise<ParticipantTokenResponse> {
    const ticket = await this.tickets.verify(request.ticket);
    if (request.room !== ticket.room) {
      throw new DomainError(DomainErrorCode.Forbidden, 'the ticket does not grant this room');
    }
    if (request.identity !== ticket.sub) {
      throw new DomainError(DomainErrorCode.Forbidden, 'the ticket does not grant this identity');
    }
    const token = await this.mint(
      ticket.sub,
      grantFor(ticket.role, ticket.room),
      this.config.tokens.participantTtlSeconds,
      {
        metadata: JSON.stringify({ role: ticket.role, sessionId: ticket.sessionId }),
        attributes: { 'parley.role': ticket.role, 'parley.org': ticket.org },
      },
    );
    return { ...token, role: ticket.role };
  }

  /** R-T2: subscribe-only and hidden; the caller proved the shared secret in the guard. */
  async observerToken(request: ObserverTokenRequest): Promise<LiveKitTokenResponse> {
    const identity = request.identity ?? `observer-${randomBytes(6).toString('hex')}`;
    return this.mint(identity, observerGrant(request.room), this.config.tokens.observerTtlSeconds, {
      metadata: JSON.stringify({ role: 'observer' }),
      attributes: { 'parley.role': 'observer' },
    });
  }

  /** R-T3: a verified LiveKit token for a conventional room → a short-lived telemetry JWT bound to it. */
  async telemetryToken(livekitToken: string): Promise<TelemetryTokenResponse> {
    const claims = await this.keyRing.verifyToken(livekitToken);
    const room = claims.video?.room;
    const identity = claims.sub;
    if (!claims.video?.roomJoin || !room || !identity) {
      throw new DomainError(DomainErrorCode.Forbidden, 'the LiveKit token does not join a room');
    }
    if (!parseRoomName(room))
      throw new DomainError(DomainErrorCode.Forbidden, 'the LiveKit token is for a room outside the naming convention');
    const role = claims.attributes?.['parley.role'];
    const org = claims.attributes?.['parley.org'];
    const minted = await this.telemetryTokens.mint({ identity, room, role, org });
    // The session becomes live now; if the client never heartbeats it is reaped after the grace period.
    await this.sessions.open({ room, identity, role, org }, Date.now());
    return {
      token: minted.token,
      expiresAt: minted.expiresAt.toISOString(),
      heartbeatIntervalMs: this.config.liveness.heartbeatIntervalMs,
      graceMs: this.config.liveness.graceMs,
    };
  }

  private async mint(
    identity: string,
    grant: VideoGrant,
    ttlSeconds: number,
    extra: { metadata: string; attributes: Record<string, string> },
  ): Promise<LiveKitTokenResponse> {
    const key = this.config.livekitKeys[0];
    const token = new AccessToken(key.id, key.secret, {
      identity,
      ttl: ttlSeconds,
      metadata: extra.metadata,
      attributes: extra.attributes,
    });
    token.addGrant(grant);
    const jwt = await token.toJwt();
    return {
      token: jwt,
      url: this.config.livekitPublicUrl,
      room: grant.room!,
      identity,
      // The token's own exp claim, so the two can never disagree.
      expiresAt: new Date(decodeJwt(jwt).exp! * 1000).toISOString(),
    };
  }
}
