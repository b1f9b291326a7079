import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  OBSERVER_IDENTITY_PREFIX,
  ParticipantIdentity,
  type LiveKitTokenResponse,
  type ObserverTokenRequest,
  type ParticipantTokenRequest,
  type ParticipantTokenResponse,
  type TelemetryClaims,
  type TelemetryTokenResponse,
} from '@app/contracts';
import { parseRoomName } from '@app/room-naming';
import { DomainError, DomainErrorCode } from '@app/errors';
import { grantFor, mintLiveKitToken, observerGrant, type LiveKitTokenRequest } from '@app/livekit';
import { LiveKitKeyRing } from '../auth/livekit-key-ring';
import { SessionTicketVerifier } from '../auth/session-ticket.verifier';
import { TelemetryTokenService } from '../auth/telemetry-token.service';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository, type SessionSubject } from '../sessions/session.repository';

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
    const token = await this.mint({
      identity: ticket.sub,
      grant: grantFor(ticket.role, ticket.room),
      ttlSeconds: this.config.tokens.participantTtlSeconds,
      metadata: JSON.stringify({ role: ticket.role, sessionId: ticket.sessionId }),
      attributes: { 'parley.role': ticket.role, 'parley.org': ticket.org },
    });
    return { ...token, role: ticket.role };
  }

  /**
   * R-T2: subscribe-only and hidden; the caller proved the shared secret in the guard. The identity
   * is always ours, in the observer namespace, so an observer can never take a participant's place.
   */
  async observerToken(request: ObserverTokenRequest): Promise<LiveKitTokenResponse> {
    const identity = `${OBSERVER_IDENTITY_PREFIX}${randomBytes(8).toString('hex')}`;
    return this.mint({
      identity,
      grant: observerGrant(request.room),
      ttlSeconds: this.config.tokens.observerTtlSeconds,
      name: request.label ?? 'observer',
      metadata: JSON.stringify({ role: 'observer', ...(request.label ? { label: request.label } : {}) }),
      attributes: { 'parley.role': 'observer' },
    });
  }

  /**
   * R-T3: a verified LiveKit token of a participant in a conventional room → a short-lived telemetry
   * JWT bound to it. Opening makes the session live (again): this is how a client (re)joins.
   */
  async telemetryToken(livekitToken: string): Promise<TelemetryTokenResponse> {
    const claims = await this.keyRing.verifyToken(livekitToken);
    const room = claims.video?.room;
    const identity = claims.sub;
    if (!claims.video?.roomJoin || !room || !identity) {
      throw new DomainError(DomainErrorCode.Forbidden, 'the LiveKit token does not join a room');
    }
    if (!parseRoomName(room))
      throw new DomainError(DomainErrorCode.Forbidden, 'the LiveKit token is for a room outside the naming convention');
    // Heartbeats and telemetry are a participant's: a watcher that could open a session could also
    // write one (or, with a participant's identity, take it over). LiveKit's default for an absent
    // canPublish is true, so only an explicit false makes a token subscribe-only.
    if (claims.video.hidden === true) {
      throw new DomainError(DomainErrorCode.Forbidden, 'a hidden (observer) LiveKit token has no session', {
        reason: 'observer_token',
      });
    }
    if (claims.video.canPublish === false) {
      throw new DomainError(DomainErrorCode.Forbidden, 'a subscribe-only LiveKit token has no session', {
        reason: 'subscribe_only_token',
      });
    }
    if (!ParticipantIdentity.safeParse(identity).success) {
      throw new DomainError(DomainErrorCode.Forbidden, 'the LiveKit token’s identity is not a participant identity', {
        reason: 'not_a_participant_identity',
      });
    }
    const subject: SessionSubject = {
      identity,
      room,
      role: claims.attributes?.['parley.role'],
      org: claims.attributes?.['parley.org'],
    };
    const response = await this.telemetryResponse(subject);
    // The session becomes live now; if the client never heartbeats it is reaped after the grace period.
    await this.sessions.open(subject, Date.now());
    return response;
  }

  /**
   * R-T3 renewal: a valid telemetry JWT → a fresh one for the same room, identity, role and org, for
   * as long as the session lives. It never reopens a session: once ended or reaped, the client has
   * to rejoin (a new LiveKit token, then POST /v1/tokens/telemetry).
   */
  async renewTelemetryToken(claims: TelemetryClaims): Promise<TelemetryTokenResponse> {
    const session = await this.sessions.get(claims.room, claims.sub);
    // No state at all is not "ended": Redis is soft state, and the next heartbeat recreates it.
    if (session && session.status !== 'active') {
      throw new DomainError(DomainErrorCode.Gone, 'this session has ended; rejoin the room to start a new one', {
        reason: 'session_ended',
      });
    }
    return this.telemetryResponse({ identity: claims.sub, room: claims.room, role: claims.role, org: claims.org });
  }

  private async telemetryResponse(subject: SessionSubject): Promise<TelemetryTokenResponse> {
    const minted = await this.telemetryTokens.mint(subject);
    return {
      token: minted.token,
      expiresAt: minted.expiresAt.toISOString(),
      renewInMs: this.telemetryTokens.lifetime.renewInMs,
      heartbeatIntervalMs: this.config.liveness.heartbeatIntervalMs,
      graceMs: this.config.liveness.graceMs,
    };
  }

  private async mint(request: Omit<LiveKitTokenRequest, 'key'>): Promise<LiveKitTokenResponse> {
    const minted = await mintLiveKitToken({ ...request, key: this.config.livekitKeys[0] });
    return {
      token: minted.token,
      url: this.config.livekitPublicUrl,
      room: minted.room,
      identity: minted.identity,
      expiresAt: minted.expiresAt.toISOString(),
    };
  }
}
