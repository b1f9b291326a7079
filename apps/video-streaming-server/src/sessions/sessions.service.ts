import { Inject, Injectable } from '@nestjs/common';
import type { HeartbeatResponse, TelemetryClaims, TelemetryEvent, TimelineResponse } from '@app/contracts';
import { DomainError, DomainErrorCode } from '@app/errors';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { SessionRepository } from './session.repository';

@Injectable()
export class SessionsService {
  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly sessions: SessionRepository,
  ) {}

  /** R-H1: refreshes liveness; an ended or reaped session must rejoin with a new token instead. */
  async heartbeat(claims: TelemetryClaims): Promise<HeartbeatResponse> {
    const result = await this.sessions.heartbeat(
      { room: claims.room, identity: claims.sub, role: claims.role, org: claims.org },
      Date.now(),
    );
    if (result === 'ended') {
      // The same reason as a refused renewal (POST /v1/tokens/telemetry/renew): the client rejoins.
      throw new DomainError(DomainErrorCode.Gone, 'this session has ended; rejoin the room to start a new one', {
        reason: 'session_ended',
      });
    }
    return { status: 'alive', nextHeartbeatInMs: this.config.liveness.heartbeatIntervalMs };
  }

  /**
   * R-R5: appends client events to the session's timeline, capped in entries and bytes. Each session
   * has an event budget (a token bucket): a client over it gets 429 with Retry-After, and nothing of
   * that request is written. Events for a session Redis no longer knows (expired after its
   * retention) are refused with 410, so they cannot recreate keys nothing would ever expire.
   */
  async record(claims: TelemetryClaims, events: TelemetryEvent[]): Promise<{ accepted: number }> {
    const now = Date.now();
    const budget = await this.sessions.takeEventBudget(claims.room, claims.sub, events.length, now);
    if (!budget.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(budget.retryAfterMs / 1000));
      throw new DomainError(
        DomainErrorCode.RateLimited,
        `too many client events for this session; try again in ${retryAfterSeconds} s`,
        { reason: 'event_rate_exceeded', retryAfterSeconds },
      );
    }
    if (!(await this.sessions.appendTimeline(claims.room, claims.sub, events, now))) {
      throw new DomainError(
        DomainErrorCode.Gone,
        'this session is no longer known; rejoin the room to start a new one',
        {
          reason: 'session_not_found',
        },
      );
    }
    return { accepted: events.length };
  }

  async timeline(claims: TelemetryClaims, limit: number): Promise<TimelineResponse> {
    return {
      room: claims.room,
      identity: claims.sub,
      entries: await this.sessions.timeline(claims.room, claims.sub, limit),
    };
  }
}
